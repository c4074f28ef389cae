// A Node program using the SDK the way an app would (`import { createRTS } from 'rtsmesh/client'`,
// WebRTC from @roamhq/wrtc, the default on Node), logged in with a token from the dev endpoint.
// Every callback is recorded so a test can wait for it.
import { createRTS, type RTS, type RTSRoom } from 'rtsmesh/client';

export interface Call {
  name: string;
  args: unknown[];
}

/** Records every callback of a handler object, whatever its name. */
export class CallLog {
  readonly calls: Call[] = [];
  readonly handler: Record<string, (...args: unknown[]) => void> = new Proxy({}, {
    get: (_t, name) => (typeof name === 'string' ? (...args: unknown[]) => { this.calls.push({ name, args }); } : undefined),
  });

  of(name: string): unknown[][] {
    return this.calls.filter((c) => c.name === name).map((c) => c.args);
  }

  /** Resolves with the first call of `name` whose arguments pass `pred` (one already made counts). */
  async wait(name: string, pred: (...args: any[]) => boolean = () => true, timeoutMs = 20_000): Promise<unknown[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.of(name).find((args) => pred(...args));
      if (hit) return hit;
      if (Date.now() > until) {
        const recent = this.calls.slice(-15).map((c) => `${c.name}(${c.args.map(short).join(', ')})`);
        throw new Error(`no ${name} matching within ${timeoutMs} ms; last calls:\n  ${recent.join('\n  ')}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

function short(v: unknown): string {
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Bytes as a plain Uint8Array, whatever the SDK handed over (Buffer, ArrayBuffer, view). */
export function asBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  throw new TypeError(`expected bytes, got ${Object.prototype.toString.call(v)}`);
}

export interface NodeUser {
  uid: string;
  rts: RTS;
  log: CallLog;
  room: RTSRoom;
  roomLog: CallLog;
  destroy(): void;
}

/** Logs `uid` in against `baseUrl` (token from GET /dev/token) and joins `roomId`. */
export async function nodeUserInRoom(baseUrl: string, uid: string, roomId: string): Promise<NodeUser> {
  const res = await fetch(`${baseUrl}/dev/token?uid=${encodeURIComponent(uid)}`);
  if (!res.ok) throw new Error(`GET /dev/token answered ${res.status}`);
  const { appId, token } = (await res.json()) as { appId: string; token: string };

  const log = new CallLog();
  // Peer links on loopback only, like the pages (e2e/demo-page.ts).
  const rts = createRTS(appId, log.handler, { server: baseUrl, iceAddresses: ['127.0.0.1'] });
  try {
    rts.login(token, uid);
    const [, loginCode] = await log.wait('onLoginResult');
    if (loginCode !== 0) throw new Error(`login of ${uid} failed with ${loginCode}`);
    const room = rts.createRoom(roomId);
    if (!room) throw new Error(`createRoom(${roomId}) failed`);
    const roomLog = new CallLog();
    room.setRTSRoomDelegate(roomLog.handler);
    room.joinRoom();
    const [, , state] = await roomLog.wait('onRoomStateChanged');
    if (state !== 0) throw new Error(`joining ${roomId} failed with ${state}`);
    return { uid, rts, log, room, roomLog, destroy: () => rts.destroyRTS() };
  } catch (err) {
    rts.destroyRTS();
    throw err;
  }
}
