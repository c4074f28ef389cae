// The login session of an engine: login / logout / token updates, what a dropped connection does,
// and the ConnectionState the app sees (semantics documented on ConnectionState in types.ts).
import * as z from '../shared/zod.js';
import { CallError, ConnectionState, LoginErrorCode, LogoutReason } from '../shared/codes.js';
import { DEFAULT_DROP_GRACE_MS, DEFAULT_LIMITS, isValidId, type Limits } from '../shared/limits.js';
import type { LoginReply } from '../shared/protocol.js';
import type { CallbackEmitter } from './callbacks.js';
import type { Connection } from './connection.js';
import type { Logger } from './base-types.js';
import type { RTSEvents } from './events.js';
import { ServerIceServers } from './server-ice.js';
import { SDK_VERSION } from './version.js';

export type Phase = 'out' | 'logging-in' | 'in' | 'reconnecting';

/** What the engine does when the session changes. */
export interface SessionHooks {
  /** Logged in (resumed = after a drop). */
  loggedIn(resumed: boolean): void;
  /** The socket dropped; reconnecting. */
  dropped(): void;
  /** The session ended (logout, displaced, lost, destroy): rooms, links and pending messages go. */
  ended(): void;
}

const LimitValue = z.number().check(z.positive());

/** The server's limits, each missing or nonsensical value replaced by its default. */
export function limitsFrom(raw: unknown): Limits {
  const merged: Limits = { ...DEFAULT_LIMITS };
  if (typeof raw !== 'object' || raw === null) return merged;
  for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof Limits>) {
    const parsed = LimitValue.safeParse((raw as Record<string, unknown>)[key]);
    if (parsed.success) merged[key] = parsed.data;
  }
  return merged;
}

/** destroy() waits at most this long (in the background) for the server to confirm the logout. */
const DESTROY_LOGOUT_WAIT_MS = 2000;

function newSessionId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class Session {
  phase: Phase = 'out';
  uid = '';
  state: ConnectionState = ConnectionState.Disconnected;
  limits: Limits = { ...DEFAULT_LIMITS };
  dropGraceMs = DEFAULT_DROP_GRACE_MS;
  businessId: string | undefined;
  /** The server's ICE servers for this session (refreshed before their TURN credential expires). */
  readonly ice: ServerIceServers;
  private token = '';
  /** Set after InvalidToken: updateLoginToken() logs in again with the new token. */
  private awaitingToken = false;
  private loginWaiters: Array<(ok: boolean) => void> = [];
  /** Bumped by logout/destroy so a login reply arriving afterwards is ignored. */
  private generation = 0;

  constructor(
    private readonly conn: Connection,
    private readonly appId: string,
    private readonly events: CallbackEmitter<RTSEvents>,
    private readonly hooks: SessionHooks,
    private readonly logger: Logger,
  ) {
    conn.on('dropped', () => this.onDropped());
    conn.on('resumed', (reply) => this.onResumed(reply));
    conn.on('lost', (code) => this.onLost(code));
    conn.on('kicked', (reason) => this.end(reason, true));
    this.ice = new ServerIceServers(async () => {
      const r = await conn.request('ice:servers', {});
      return r.ok && r.reply.code === 0 ? r.reply : null;
    }, logger);
  }

  login(token: string, uid: string): number {
    if (typeof token !== 'string' || typeof uid !== 'string') return CallError.BadArgument;
    if (this.phase !== 'out') {
      this.logger.warn(`login(${uid}) ignored: already ${this.phase === 'logging-in' ? 'logging in' : 'logged in'} as ${this.uid}`);
      return CallError.NotReady;
    }
    this.uid = uid;
    this.token = token;
    this.awaitingToken = false;
    this.generation++;
    this.phase = 'logging-in';
    this.setState(ConnectionState.Connecting);
    void this.runLogin(Date.now());
    return 0;
  }

  /** Ends the session: onLogout(Logout) once the server acknowledged (or could not be reached). */
  logout(): number {
    const wasIn = this.phase !== 'out';
    this.awaitingToken = false;
    if (!wasIn) {
      queueMicrotask(() => this.events.fire('onLogout', LogoutReason.Logout));
      return 0;
    }
    const generation = ++this.generation;
    this.phase = 'out';
    this.resolveWaiters(false);
    this.ended();
    void this.conn.logout().then(() => {
      // A login() may have started meanwhile: its state wins.
      if (generation === this.generation) this.setState(ConnectionState.Disconnected);
      this.events.fire('onLogout', LogoutReason.Logout);
    });
    return 0;
  }

  updateToken(token: string): number {
    if (typeof token !== 'string') return CallError.BadArgument;
    this.token = token;
    this.conn.setToken(token);
    if (this.awaitingToken && this.phase === 'out') return this.login(token, this.uid);
    if (this.phase === 'in') {
      void this.conn.request('token:update', { token }).then((r) => {
        if (!r.ok || r.reply.code !== 0) this.logger.warn(`token update refused: ${r.ok ? r.reply.code : r.error}`);
      });
    }
    return 0;
  }

  whenLoggedIn(): Promise<boolean> {
    if (this.phase === 'in') return Promise.resolve(true);
    if (this.phase !== 'logging-in') return Promise.resolve(false);
    return new Promise((resolve) => this.loginWaiters.push(resolve));
  }

  /** Engine destroy: logs out without waiting and closes everything now. */
  destroy(): void {
    const wasIn = this.phase !== 'out';
    this.generation++;
    this.resolveWaiters(false);
    if (wasIn) {
      this.phase = 'out';
      this.ended();
      this.events.fire('onLogout', LogoutReason.Logout);
    }
    this.conn.logoutAndClose(DESTROY_LOGOUT_WAIT_MS);
    this.setState(ConnectionState.Disconnected);
  }

  private async runLogin(startedAt: number): Promise<void> {
    const generation = this.generation;
    const uid = this.uid;
    let reply: LoginReply;
    if (!isValidId(uid)) {
      reply = { code: LoginErrorCode.InvalidUserId };
      await Promise.resolve(); // the result is never reported inside login()
    } else {
      reply = await this.conn.login({
        appId: this.appId, uid, token: this.token, sessionId: newSessionId(), businessId: this.businessId, sdkVersion: SDK_VERSION,
      });
    }
    if (generation !== this.generation) return;
    const elapsed = Date.now() - startedAt;
    if (reply.code === LoginErrorCode.Success) {
      this.phase = 'in';
      this.adopt(reply);
      this.setState(ConnectionState.Connected);
      this.hooks.loggedIn(false);
      this.resolveWaiters(true);
    } else {
      this.phase = 'out';
      this.awaitingToken = reply.code === LoginErrorCode.InvalidToken;
      this.conn.close();
      this.setState(ConnectionState.Failed);
      this.resolveWaiters(false);
    }
    this.events.fire('onLoginResult', uid, reply.code, elapsed);
  }

  private onDropped(): void {
    if (this.phase !== 'in') return;
    this.phase = 'reconnecting';
    this.setState(ConnectionState.Reconnecting);
    this.hooks.dropped();
  }

  private onResumed(reply: LoginReply): void {
    if (this.phase !== 'reconnecting') return;
    this.phase = 'in';
    this.adopt(reply);
    this.setState(ConnectionState.Reconnected);
    this.hooks.loggedIn(true);
  }

  private onLost(code: number): void {
    if (this.phase === 'out') return;
    this.generation++;
    this.phase = 'out';
    this.awaitingToken = code === LoginErrorCode.InvalidToken;
    this.ended();
    this.setState(ConnectionState.Lost);
    // A refused re-login (not just an unreachable server) is reported like a failed login.
    if (code !== LoginErrorCode.ServerError) this.events.fire('onLoginResult', this.uid, code, 0);
  }

  private end(reason: LogoutReason, fromServer: boolean): void {
    if (this.phase === 'out') return;
    this.generation++;
    this.phase = 'out';
    this.resolveWaiters(false);
    this.ended();
    if (!fromServer) this.conn.close();
    this.setState(ConnectionState.Disconnected);
    this.events.fire('onLogout', reason);
  }

  private ended(): void {
    this.ice.stop();
    this.hooks.ended();
  }

  /** What the server says is in force for this session. */
  private adopt(reply: LoginReply): void {
    this.ice.adopt(reply);
    this.limits = limitsFrom(reply.limits);
    if (typeof reply.dropGraceMs === 'number' && reply.dropGraceMs >= 0) this.dropGraceMs = reply.dropGraceMs;
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    this.events.fire('onConnectionStateChanged', state);
  }

  private resolveWaiters(ok: boolean): void {
    const waiters = this.loginWaiters;
    this.loginWaiters = [];
    for (const w of waiters) w(ok);
  }
}
