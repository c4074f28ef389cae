// setServerParams (SPEC §7): the app server's URL and signature, handed to the signaling server,
// which posts P2Server messages there. Kept for the session so that a re-login after a reconnect
// hands them again (the server may have restarted and forgotten them).
import { UserMessageSendResult } from '../shared/codes.js';
import type { Connection } from './connection.js';
import type { Phase } from './session.js';
import { requestCode } from './transport/request-code.js';

export class ServerParams {
  private current: { signature: string; url: string } | null = null;

  constructor(
    private readonly conn: Connection,
    private readonly phase: () => Phase,
    private readonly report: (code: number) => void,
  ) {}

  /** Result in `report`: 200, or the code that refused them (105 before login). */
  set(signature: string, url: string): void {
    const phase = this.phase();
    if (phase !== 'in') {
      const code = phase === 'reconnecting' ? UserMessageSendResult.NetworkDisconnected : UserMessageSendResult.NotLogin;
      queueMicrotask(() => this.report(code));
      return;
    }
    void this.send(signature, url).then((code) => {
      if (code === 200) this.current = { signature, url };
      this.report(code);
    });
  }

  /** Logged in again after a drop: the server gets them again. */
  restore(): void {
    if (this.current) void this.send(this.current.signature, this.current.url);
  }

  /** The session ended. */
  clear(): void {
    this.current = null;
  }

  private async send(signature: string, url: string): Promise<number> {
    const code = requestCode(await this.conn.request('server:params', { signature, url }));
    return code === 0 ? 200 : code;
  }
}
