// Logged-in SDK engines for the benchmarks, built only on the documented API (SPEC §2-3):
// createRTS + login + onLoginResult, onPeerLinkStateChanged, rooms and their callbacks.
import { APP_ID, tokenFor } from './bench-app.js';
import { deferred, TimeoutError, until, type Scope } from './scope.js';
import { importSdkClient, type RTS, type RTSParameters, type RTSRoom } from './sdk-load.js';
import { loadStack, type StackName } from './webrtc.js';

export interface Engine {
  uid: string;
  rts: RTS;
  /** Last onPeerLinkStateChanged state per remote uid. */
  links: Map<string, string>;
}

export interface EngineOptions {
  server: string;
  uid: string;
  /**
   * The Node WebRTC stack. The engine gets the same loopback-only wrapped implementation the raw
   * baselines use (webrtc.ts), injected as an object, so both sides run on identical stacks.
   */
  stack?: StackName;
  relayOnly?: boolean;
  /** Direct links per room (the SDK's default, 8, when not given). */
  maxPeerLinks?: number;
  loginTimeoutMs?: number;
}

/** A new engine, logged in. Destroyed with the scope. */
export async function loginEngine(scope: Scope, o: EngineOptions): Promise<Engine> {
  const { createRTS } = await importSdkClient();
  const params: RTSParameters = { server: o.server };
  if (o.stack) params.webrtc = await loadStack(o.stack);
  if (o.relayOnly) params.relayOnly = true;
  if (o.maxPeerLinks !== undefined) params.maxPeerLinks = o.maxPeerLinks;
  const rts = createRTS(APP_ID, {}, params);
  scope.add(() => rts.destroyRTS());
  if (typeof rts.on !== 'function') throw new Error('engine has no on() (typed emitter)');
  const links = new Map<string, string>();
  rts.on('onPeerLinkStateChanged', (uid: string, state: string) => links.set(uid, state));
  const done = deferred<void>();
  rts.on('onLoginResult', (_uid: string, code: number) => {
    if (code === 0) done.resolve();
    else done.reject(new Error(`login failed with code ${code}`));
  });
  rts.login(tokenFor(o.uid), o.uid);
  const ms = o.loginTimeoutMs ?? 10_000;
  const timer = setTimeout(() => done.reject(new TimeoutError(`login ${o.uid}`, ms)), ms);
  try {
    await done.promise;
  } finally {
    clearTimeout(timer);
  }
  return { uid: o.uid, rts, links };
}

/** Waits until `e` reports 'p2p' for every uid in `peers`. */
export function waitP2P(e: Engine, peers: string[], ms: number): Promise<void> {
  return until(`${e.uid}: p2p links to ${peers.length} peers`, () => peers.every((u) => e.links.get(u) === 'p2p'), ms);
}

/** Creates the room and joins it; resolves on onRoomStateChanged state 0. */
export async function joinRoom(e: Engine, roomId: string, ms: number): Promise<RTSRoom> {
  const room = startJoin(e, roomId);
  await room.joined(ms);
  return room.room;
}

/** Creates the room and starts joining; `joined()` waits for state 0. */
export function startJoin(e: Engine, roomId: string): { room: RTSRoom; joined: (ms: number) => Promise<void> } {
  const room = e.rts.createRoom(roomId);
  if (!room) throw new Error(`createRoom(${roomId}) returned nothing`);
  const done = deferred<void>();
  room.on('onRoomStateChanged', (_roomId: string, _uid: string, state: number) => {
    if (state === 0) done.resolve();
    else if (state <= -1000 && state > -2000) done.reject(new Error(`join ${roomId} failed with state ${state}`));
  });
  room.joinRoom();
  return {
    room,
    joined: async (ms: number) => {
      const timer = setTimeout(() => done.reject(new TimeoutError(`${e.uid} join ${roomId}`, ms)), ms);
      try {
        await done.promise;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Unique uids per run, so a run never collides with a previous run's sessions. */
let seq = 0;
export function uidFor(prefix: string): string {
  seq++;
  return `${prefix}-${process.pid}-${seq}`;
}
