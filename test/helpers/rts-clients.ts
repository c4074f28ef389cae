// Test helper for SDK integration tests: real engines (createRTS) against a real signaling
// server, with every callback of an engine or room recorded so tests can wait for and assert on
// them. Everything it creates is destroyed by destroyAll() — useTestbed() does that, and closes
// the file's test server, after every test.
import { afterEach } from 'vitest';
import { createRTS, type RTS, type RTSParameters, type RTSRoom } from '../../client/index.js';
import type { Logger } from '../../client/types.js';
import { startTestServer, type TestServer } from './server.js';

/** Tests never let a peer link use anything but loopback (not this machine's other interfaces). */
export const LOOPBACK_ONLY = ['127.0.0.1'];

export interface Recorded {
  name: string;
  args: unknown[];
}

/** Records every callback called on its `handler` (any name), in order. */
export class Recorder {
  readonly events: Recorded[] = [];
  /** A handler object answering to every callback name. */
  readonly handler: Record<string, (...args: unknown[]) => void> = new Proxy({}, {
    get: (_target, name) => (typeof name === 'string' ? (...args: unknown[]) => this.events.push({ name, args }) : undefined),
  });

  /** Argument lists of every call of `name`. */
  of(name: string): unknown[][] {
    return this.events.filter((e) => e.name === name).map((e) => e.args);
  }

  count(name: string): number {
    return this.of(name).length;
  }

  /** Waits for a call of `name` whose arguments pass `pred` (also one that already happened). */
  async wait(name: string, pred: (...args: any[]) => boolean = () => true, timeoutMs = 10_000): Promise<unknown[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.of(name).find((args) => pred(...args));
      if (hit) return hit;
      if (Date.now() > until) {
        throw new Error(`no ${name} matching within ${timeoutMs} ms; seen: ${JSON.stringify(this.events.map((e) => [e.name, ...e.args]).slice(-20))}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  clear(): void {
    this.events.length = 0;
  }
}

export interface TestEngine {
  rts: RTS;
  rec: Recorder;
  uid: string;
  /** Creates and joins a room; resolves once joined. */
  join(roomId: string, extraInfo?: string): Promise<{ room: RTSRoom; rec: Recorder }>;
}

/** A logger that keeps what it is told (and stays quiet). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (m: string, ...d: unknown[]): void => {
    lines.push([m, ...d.map((x) => (x instanceof Error ? x.message : String(x)))].join(' '));
  };
  return { lines, debug: () => undefined, info: keep, warn: keep, error: keep };
}

export class Clients {
  private readonly engines: RTS[] = [];

  constructor(private readonly srv: () => TestServer) {}

  /**
   * An engine that is not logged in yet. Relay only unless parameters say otherwise; its peer
   * links stay on 127.0.0.1 (LOOPBACK_ONLY) unless parameters say otherwise.
   */
  create(params: Partial<RTSParameters> = {}): { rts: RTS; rec: Recorder } {
    const rec = new Recorder();
    const rts = createRTS(this.srv().appId, rec.handler, {
      server: this.srv().url, relayOnly: true, logger: memoryLogger(), requestTimeoutMs: 5000, iceAddresses: LOOPBACK_ONLY, ...params,
    });
    this.engines.push(rts);
    return { rts, rec };
  }

  /** An engine logged in as `uid`. */
  async login(uid: string, params: Partial<RTSParameters> = {}): Promise<TestEngine> {
    const { rts, rec } = this.create(params);
    rts.login(this.srv().token(uid), uid);
    const [, code] = await rec.wait('onLoginResult');
    if (code !== 0) throw new Error(`login of ${uid} failed: ${code}`);
    return {
      rts, rec, uid,
      join: async (roomId, extraInfo) => {
        const room = rts.createRoom(roomId);
        if (!room) throw new Error(`createRoom(${roomId}) failed`);
        const roomRec = new Recorder();
        room.setRTSRoomDelegate(roomRec.handler);
        room.joinRoom(extraInfo);
        const [, , state] = await roomRec.wait('onRoomStateChanged');
        if (state !== 0) throw new Error(`join ${roomId} failed: ${state}`);
        return { room, rec: roomRec };
      },
    };
  }

  destroyAll(): void {
    for (const e of this.engines.splice(0)) e.destroy();
  }
}

/** An engine that joined a room, with the room and its recorder. */
export type Member = TestEngine & { room: RTSRoom; roomRec: Recorder };

/** Each engine joins `roomId`, one after the other (so everyone sees the earlier ones). */
export async function joinAll(engines: TestEngine[], roomId: string): Promise<Member[]> {
  const members: Member[] = [];
  for (const e of engines) {
    const { room, rec } = await e.join(roomId);
    members.push({ ...e, room, roomRec: rec });
  }
  return members;
}

export interface Testbed {
  /** Engines against the server of the running test. */
  readonly clients: Clients;
  /** Starts this test's signaling server (again, e.g. on the same port after closing it). */
  start(opts?: Parameters<typeof startTestServer>[0]): Promise<TestServer>;
}

/**
 * A test file's signaling server and engines: `srv = await bed.start()` in a test; after each
 * test every engine is destroyed, then `cleanup` runs, then the latest server is closed (the
 * afterEach is registered here).
 */
export function useTestbed(cleanup?: () => void | Promise<void>): Testbed {
  let server: TestServer | undefined;
  const clients = new Clients(() => {
    if (!server) throw new Error('no test server: call bed.start() first');
    return server;
  });
  afterEach(async () => {
    clients.destroyAll();
    await cleanup?.();
    await server?.close();
    server = undefined;
  });
  return {
    clients,
    start: async (opts) => (server = await startTestServer(opts)),
  };
}
