// The ICE servers the signaling server hands out (its `ice` option, SPEC §10): adopted from
// each login reply, and asked for again (ice:servers) at half the TURN credential's remaining
// lifetime, so new links and ICE restarts always have a credential coturn still accepts. The
// lifetime is measured on the server's clock (expiry minus serverTime), so a client clock that is
// off does not matter. Used only when the app did not set iceServers itself.
import type { IceServerInfo } from '../shared/protocol.js';
import type { IceServer, Logger } from './base-types.js';

interface IceFields {
  iceServers?: IceServerInfo[];
  iceExpiresAtMs?: number;
  serverTime?: number;
}

/** Never refresh more often than this, whatever the server says (a tiny TTL must not become a loop). */
const MIN_REFRESH_MS = 1000;
/** A failed refresh is tried again after this long. */
const RETRY_MS = 5000;

export class ServerIceServers {
  /** What new links use now ([] when the server has none). */
  current: IceServer[] = [];
  /** Refreshes made (tests and diagnostics). */
  refreshes = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private generation = 0;

  constructor(
    /** Asks the server for fresh ones; resolves null when the request failed. */
    private readonly request: () => Promise<IceFields | null>,
    private readonly logger: Logger,
  ) {}

  /** A login (or re-login) reply: its ICE servers replace the old ones. */
  adopt(reply: IceFields): void {
    this.stop();
    this.apply(reply);
  }

  /** Logged out: nothing more to refresh. */
  stop(): void {
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private apply(reply: IceFields): void {
    this.current = (reply.iceServers ?? []).map((s) => ({ ...s, urls: [...s.urls] }));
    if (typeof reply.iceExpiresAtMs !== 'number') return;
    const lifetime = reply.iceExpiresAtMs - (reply.serverTime ?? Date.now());
    this.schedule(Math.max(MIN_REFRESH_MS, lifetime / 2));
  }

  private schedule(delayMs: number): void {
    const generation = this.generation;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.request().then((fields) => {
        if (generation !== this.generation) return;
        if (!fields) {
          this.logger.warn('rtsmesh: refreshing the TURN credentials failed; retrying');
          this.schedule(RETRY_MS);
          return;
        }
        this.refreshes++;
        this.apply(fields);
      });
    }, delayMs);
    (this.timer as { unref?: () => void }).unref?.();
  }
}
