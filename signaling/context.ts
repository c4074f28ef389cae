// What every handler of one server instance shares, and the names of the socket.io rooms used for
// routing. All deliveries go to socket.io rooms (never a local socket map), so that with the Redis
// adapter an emit reaches a socket held by another process.
import type { Logger } from 'pino';
import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../shared/protocol.js';
import type { DropGrace } from './domain/drop-grace.js';
import type { LoginGate } from './limits/login-deadline.js';
import type { SignalingMetrics } from './http/metrics.js';
import type { ResolvedOptions } from './options.js';
import type { RateLimiter } from './limits/rate-limiter.js';
import type { KeyedLock, SerialQueue } from './domain/serial.js';
import type { Store } from './store/types.js';

/** The login state of one socket; absent before login and after logout. */
export interface SocketSession {
  appId: string;
  uid: string;
  sessionId: string;
  /** From a room token (SPEC §6): the only room this session may join. */
  allowedRoom?: string;
}

export interface SocketData {
  session?: SocketSession;
  /** This socket's events in arrival order; made at its first event (socket/guard.ts). */
  queue?: SerialQueue;
}

export type SignalingIo = Server<ClientToServerEvents, ServerToClientEvents, {}, SocketData>;
export type SignalingSocket = Socket<ClientToServerEvents, ServerToClientEvents, {}, SocketData>;

/** Plain counters behind stats(); the same numbers also feed the Prometheus metrics. */
export interface Counters {
  /** Message frames (never acks or signaling) relay:frame and relay:room accepted, once per frame a client sent. */
  relayedMessages: number;
  /** Message frames the relay delivered, once per recipient. */
  relayDeliveries: number;
  /** All frames the relay accepted, acks included. */
  relayedFrames: number;
  /** Message frames the relay accepted that were sent again (x:1). */
  relayResentFrames: number;
  /** Ack frames the relay accepted. */
  relayAckFrames: number;
  /** relay:frame / relay:room requests refused with ExceedQPS (a budget of SPEC §5 was spent). */
  relayExceedQps: number;
  /** WebRTC signals forwarded. */
  rtcSignals: number;
  /** P2Server messages posted to app servers. */
  serverMessages: number;
  /** REST API messages sent to clients. */
  appMessages: number;
}

export interface ServerContext {
  io: SignalingIo;
  store: Store;
  options: ResolvedOptions;
  log: Logger;
  metrics: SignalingMetrics;
  counters: Counters;
  limiter: RateLimiter;
  /** Serialises state changes of one uid: in this process, and across processes with Redis. */
  locks: Pick<KeyedLock, 'run'>;
  /**
   * Runs an emit and resolves whether the event was handed over for delivery: always true in one
   * process; with Redis, false when the adapter could not publish it (Redis down or too slow), so
   * a relay never acknowledges a frame that other processes will not see.
   */
  deliver(emit: () => void): Promise<boolean>;
  /**
   * True while the shared state may be incomplete: for a moment after the Redis connection came
   * back (Redis may have restarted empty and the processes are writing their sessions again).
   * Always false in one process.
   */
  degraded(): boolean;
  dropGrace: DropGrace;
  /** Login deadline and per-address cap of sockets not logged in yet. */
  loginGate: LoginGate;
  /** Identifies this process in SessionRecord.nodeId. */
  nodeId: string;
  /** Aborted when the server closes, so pending app-server requests end with it. */
  closing: AbortSignal;
}

// appId has a fixed length of 24, so `prefix + appId + id` is unambiguous.
export const userRoom = (appId: string, uid: string): string => `user:${appId}${uid}`;
export const roomRoom = (appId: string, roomId: string): string => `room:${appId}${roomId}`;
export const sessionRoom = (appId: string, sessionId: string): string => `session:${appId}${sessionId}`;
/** KeyedLock / rate-limit key of one user. */
export const userKey = (appId: string, uid: string): string => `${appId}${uid}`;
