// The engine's link to the signaling server (like socket.io's Manager vs Socket split, this is the
// manager): one socket.io socket at a time, login on every (re)connect, requests with acks and
// timeouts, and every inbound event and reply checked against the shared protocol tables
// (REQUESTS, SERVER_EVENTS in shared/protocol.ts).
//
// socket.io's own reconnection is off: after a drop we reconnect ourselves, paced by the app's
// ReconnectPolicy, and log in again with the same sessionId so the server resumes the session
// (rooms kept, nobody told we left) instead of treating us as a second login.
import { io, type Socket } from 'socket.io-client';
import type * as z from '../shared/zod.js';
import { LoginErrorCode, LogoutReason } from '../shared/codes.js';
import * as P from '../shared/protocol.js';
import { socketParser } from '../shared/socket-parser.js';
import { TypedEmitter } from './typed-emitter.js';
import type { Logger } from './base-types.js';
import type { RetryPolicy } from './retry-policy.js';

type ClientSocket = Socket<P.ServerToClientEvents, P.ClientToServerEvents>;

export type RequestName = P.RequestName;
export type RequestPayload<K extends RequestName> = P.RequestPayload<K>;
export type Reply<K extends RequestName> = P.Reply<K>;
export type RequestResult<R> = { ok: true; reply: R } | { ok: false; error: 'timeout' | 'offline' | 'malformed' };

type ServerEvents = { [K in P.ServerEventName]: (ev: z.output<(typeof P.SERVER_EVENTS)[K]>) => void };

export interface ConnectionEvents extends ServerEvents {
  /** The socket dropped while logged in; reconnecting. */
  dropped: () => void;
  /** Logged in again after a drop. */
  resumed: (reply: P.LoginReply) => void;
  /** Stopped reconnecting: the policy gave up (ServerError) or the server refused the re-login (its code). */
  lost: (code: number) => void;
  /** Another login of the same uid took over this session (DuplicateLogin). Closed. */
  kicked: (reason: LogoutReason) => void;
}

export type Credentials = z.input<typeof P.LoginRequest>;

/**
 * A request timeout meaning "as long as this socket lives" (setTimeout's largest delay). For
 * requests that must not be sent twice while the path is healthy: socket.io's heartbeat ends a
 * dead socket, and its end fails every pending request at once ('offline').
 */
export const UNTIL_DISCONNECT = 2 ** 31 - 1;

export interface ConnectionOptions {
  url: string;
  logger: Logger;
  requestTimeoutMs(): number;
  reconnect(): RetryPolicy;
}

export class Connection extends TypedEmitter<ConnectionEvents> {
  private socket: ClientSocket | null = null;
  private creds: Credentials | null = null;
  private loggedIn = false;
  private closed = true;
  /** Retries in the current run of failures, and when that run began. */
  private retryCount = 0;
  private failingSince = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** The server said it is going away: the next reconnect starts without the backoff delay. */
  private reconnectNow = false;
  /** Ends connect waits early on close(), so no timer outlives the connection. */
  private readonly pendingWaits = new Set<() => void>();
  /** Round trip of the latest answered request. */
  rttMs: number | undefined;

  constructor(private readonly opts: ConnectionOptions) {
    super((event, error) => opts.logger.error(`connection listener for ${event} threw`, error));
  }

  /** True while the socket is connected and logged in. */
  isUp(): boolean {
    return this.loggedIn && this.socket?.connected === true;
  }

  /**
   * Connects and logs in. Server unreachable or silent → { code: ServerError }. On success the
   * connection stays up and reconnects by itself until close().
   */
  async login(creds: Credentials): Promise<P.LoginReply> {
    this.close();
    this.closed = false;
    this.creds = { ...creds };
    const reply = await this.connectAndLogin();
    if (reply.code !== LoginErrorCode.Success && !this.closed) this.close();
    return reply;
  }

  /** The token used by later re-logins. */
  setToken(token: string): void {
    if (this.creds) this.creds.token = token;
  }

  async request<K extends RequestName>(event: K, payload: RequestPayload<K>, timeoutMs?: number): Promise<RequestResult<Reply<K>>> {
    const socket = this.socket;
    if (!socket || !this.isUp()) return { ok: false, error: 'offline' };
    return this.emitRequest(socket, event, payload, timeoutMs ?? this.opts.requestTimeoutMs());
  }

  /** Logs out (waits for the server's ack up to the request timeout), then closes. */
  async logout(): Promise<void> {
    if (this.isUp()) await this.request('logout', {});
    this.close();
  }

  /** Stops everything: no more reconnects, socket closed. Idempotent. */
  close(): void {
    this.stop();
    this.dropSocket();
  }

  /**
   * Logs out without making the caller wait, then closes. The socket stays open until the
   * server acknowledged the logout (at most `timeoutMs`): socket.io drops events that arrive
   * together with a disconnect, so closing at once would turn the logout into a drop.
   */
  logoutAndClose(timeoutMs: number): void {
    const socket = this.socket;
    const up = this.isUp();
    this.stop();
    if (!socket || !up) {
      this.dropSocket();
      return;
    }
    this.socket = null;
    socket.removeAllListeners();
    void this.emitRequest(socket, 'logout', {}, timeoutMs).then(() => closeSocket(socket));
  }

  private stop(): void {
    this.closed = true;
    this.loggedIn = false;
    this.retryCount = 0;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    for (const cancel of [...this.pendingWaits]) cancel();
  }

  private async connectAndLogin(): Promise<P.LoginReply> {
    const timeoutMs = this.opts.requestTimeoutMs();
    const socket = this.openSocket(timeoutMs);
    const connected = await waitForConnect(socket, timeoutMs, this.pendingWaits);
    if (!connected || this.closed || socket !== this.socket) {
      if (socket === this.socket) this.dropSocket();
      return { code: LoginErrorCode.ServerError };
    }
    const result = await this.emitRequest(socket, 'login', { ...this.creds!, protocol: P.PROTOCOL_VERSION }, timeoutMs);
    if (this.closed || socket !== this.socket) return { code: LoginErrorCode.ServerError };
    if (!result.ok) {
      this.dropSocket();
      return { code: LoginErrorCode.ServerError };
    }
    if (result.reply.code === LoginErrorCode.Success) this.loggedIn = true;
    else this.dropSocket();
    return result.reply;
  }

  private openSocket(timeoutMs: number): ClientSocket {
    this.dropSocket();
    const socket: ClientSocket = io(this.opts.url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      multiplex: false,
      timeout: timeoutMs,
      parser: socketParser,
    });
    this.socket = socket;
    for (const name of Object.keys(P.SERVER_EVENTS) as P.ServerEventName[]) {
      const schema = P.SERVER_EVENTS[name];
      (socket as unknown as { on(ev: string, fn: (p: unknown) => void): void }).on(name, (payload: unknown) => {
        if (socket !== this.socket) return;
        const parsed = schema.safeParse(payload);
        if (!parsed.success) {
          this.opts.logger.warn(`dropping malformed ${name} from server: ${parsed.error.issues[0]?.message}`);
          return;
        }
        if (name === 'session:kicked') this.onKicked((parsed.data as { reason: number }).reason);
        else if (name === 'server:going-away') this.onGoingAway(socket);
        else (this.emit as (ev: P.ServerEventName, data: unknown) => boolean)(name, parsed.data);
      });
    }
    socket.on('disconnect', (reason) => {
      if (socket !== this.socket || this.closed) return;
      this.opts.logger.debug?.(`signaling socket disconnected: ${reason}`);
      const wasLoggedIn = this.loggedIn;
      this.loggedIn = false;
      if (wasLoggedIn) {
        this.emit('dropped');
        this.scheduleRetry();
      }
    });
    return socket;
  }

  private dropSocket(): void {
    const socket = this.socket;
    this.socket = null;
    if (socket) closeSocket(socket);
  }

  /** The server is shutting down: leave now and reconnect at once (another process may take us). */
  private onGoingAway(socket: ClientSocket): void {
    if (!this.loggedIn || this.closed) return;
    this.reconnectNow = true;
    socket.disconnect();
  }

  private onKicked(reason: number): void {
    this.close();
    this.emit('kicked', reason === LogoutReason.Logout ? LogoutReason.Logout : LogoutReason.DuplicateLogin);
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    if (this.retryCount === 0) this.failingSince = Date.now();
    const context = { retryCount: this.retryCount++, elapsedMs: Date.now() - this.failingSince };
    let delay: number | null;
    try {
      delay = this.reconnectNow ? 0 : this.opts.reconnect().nextRetryDelayInMs(context);
      this.reconnectNow = false;
    } catch (e) {
      this.opts.logger.error('reconnect policy threw; giving up', e);
      delay = null;
    }
    if (delay === null || !Number.isFinite(delay)) {
      this.giveUp(LoginErrorCode.ServerError);
      return;
    }
    this.retryTimer = setTimeout(() => void this.retry(), Math.max(0, delay));
  }

  private async retry(): Promise<void> {
    this.retryTimer = null;
    if (this.closed) return;
    const reply = await this.connectAndLogin();
    if (this.closed) return;
    if (reply.code === LoginErrorCode.Success) {
      this.retryCount = 0;
      this.emit('resumed', reply);
    } else if (reply.displaced) {
      this.onKicked(LogoutReason.DuplicateLogin);
    } else if (reply.code === LoginErrorCode.ServerError) {
      this.scheduleRetry();
    } else {
      this.giveUp(reply.code);
    }
  }

  private giveUp(code: number): void {
    this.close();
    this.emit('lost', code);
  }

  private emitRequest<K extends RequestName>(socket: ClientSocket, event: K, payload: RequestPayload<K>, timeoutMs: number): Promise<RequestResult<Reply<K>>> {
    const started = Date.now();
    const loose = socket as unknown as {
      timeout(ms: number): { emit(ev: string, payload: unknown, ack: (err: unknown, reply: unknown) => void): void };
    };
    return new Promise((resolve) => {
      loose.timeout(timeoutMs).emit(event, payload, (err, reply) => {
        if (err) {
          resolve({ ok: false, error: socket.connected ? 'timeout' : 'offline' });
          return;
        }
        this.rttMs = Date.now() - started;
        const parsed = P.REQUESTS[event].reply.safeParse(reply);
        if (!parsed.success) {
          this.opts.logger.warn(`malformed ${event} reply from server: ${parsed.error.issues[0]?.message}`);
          resolve({ ok: false, error: 'malformed' });
          return;
        }
        resolve({ ok: true, reply: parsed.data as Reply<K> });
      });
    });
  }
}

function closeSocket(socket: ClientSocket): void {
  socket.removeAllListeners();
  socket.disconnect();
  // disconnect() closes the manager (autoclose) — make sure its engine is gone too, or a
  // pending connection attempt keeps the process alive.
  socket.io.engine?.close();
}

function waitForConnect(socket: ClientSocket, timeoutMs: number, pending: Set<() => void>): Promise<boolean> {
  return new Promise((resolve) => {
    const cancel = (): void => done(false);
    pending.add(cancel);
    const done = (ok: boolean): void => {
      pending.delete(cancel);
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('connect_error', onError);
      resolve(ok);
    };
    const onConnect = (): void => done(true);
    const onError = (): void => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('connect', onConnect);
    socket.on('connect_error', onError);
  });
}
