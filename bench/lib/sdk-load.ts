// The SDK as a user gets it: the built package (dist/, what `npm run bench` builds first).
// Loading is guarded: while a part is missing or broken, its figures read "n/a (reason)" and
// the rest of the run goes on. The shapes below are what the benchmarks call (SPEC §2-3).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type WebRTCName = 'wrtc' | 'node-datachannel';

/** createRTS's third argument, as far as the benchmarks use it. */
export interface RTSParameters {
  /** Signaling server URL, e.g. http://127.0.0.1:8080. */
  server: string;
  /** Which Node WebRTC stack carries the peer links: a name, or an injected W3C implementation. */
  webrtc?: WebRTCName | { RTCPeerConnection: unknown };
  /** Never open peer links: every message takes the server relay. */
  relayOnly?: boolean;
  /** Direct links per room, at most (default 8). */
  maxPeerLinks?: number;
}

type Listener = (...args: any[]) => void;

/** SPEC §2 engine, the subset used here. Events through the typed emitter (`rts.on`). */
export interface RTS {
  login(token: string, uid: string): unknown;
  destroyRTS(): unknown;
  sendMessage(uid: string, text: string, config?: number): number;
  sendBinaryMessage(uid: string, bytes: Uint8Array, config?: number): number;
  createRoom(roomId: string): RTSRoom | null | undefined;
  on(event: string, fn: Listener): unknown;
  off?(event: string, fn: Listener): unknown;
}

export interface RTSRoom {
  joinRoom(userExtraInfo?: string): unknown;
  leaveRoom(): unknown;
  destroy(): unknown;
  sendRoomMessage(text: string): number;
  sendRoomBinaryMessage(bytes: Uint8Array): number;
  on(event: string, fn: Listener): unknown;
}

export type CreateRTS = (appId: string, handler?: object, parameters?: RTSParameters) => RTS;

export interface SdkClient {
  createRTS: CreateRTS;
}

export interface SdkServerModule {
  createSignalingServer(opts: {
    port: number;
    host: string;
    apps: Array<{ appId: string; appKey: string }>;
    logLevel: string;
    limits?: Record<string, number>;
  }): Promise<{ url: string; port: number; close(): Promise<void>; stats(): object }>;
}

/**
 * The built package; RTSMESH_BENCH_DIST points elsewhere (e.g. a `tsc --outDir` build inside the
 * repo, so a benchmark can run against work in progress without touching dist/).
 */
const distRoot = (): URL =>
  process.env.RTSMESH_BENCH_DIST ? pathToFileURL(`${process.env.RTSMESH_BENCH_DIST.replace(/\/$/, '')}/`) : new URL('../../dist/', import.meta.url);
const distFile = (rel: string): string => fileURLToPath(new URL(rel, distRoot()));

async function importDist<T>(rel: string, what: string): Promise<T> {
  const file = distFile(rel);
  if (!existsSync(file)) throw new Error(`${what} not built: no dist/${rel}`);
  try {
    // A specifier in a variable: this file must typecheck while the SDK is still being written.
    const spec = new URL(rel, distRoot()).href;
    return (await import(spec)) as T;
  } catch (e) {
    throw new Error(`${what} failed to load: ${(e as Error).message.split('\n')[0]}`);
  }
}

let client: Promise<SdkClient> | undefined;

/** The client SDK, or a rejection whose message says why it cannot be used. */
export function importSdkClient(): Promise<SdkClient> {
  client ??= importDist<Partial<SdkClient>>('client/index.js', 'SDK client').then((m) => {
    if (typeof m.createRTS !== 'function') throw new Error('SDK client has no createRTS export');
    return m as SdkClient;
  });
  return client;
}

export async function importSdkServer(): Promise<SdkServerModule> {
  const m = await importDist<Partial<SdkServerModule>>('signaling/index.js', 'signaling server');
  if (typeof m.createSignalingServer !== 'function') throw new Error('signaling server has no createSignalingServer export');
  return m as SdkServerModule;
}
