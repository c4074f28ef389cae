// RTS: the engine (SPEC §2). Public methods check their arguments and delegate: the login
// session (session.ts), the signaling connection (connection.ts), the messaging layer
// (messaging/), rooms (room.ts). Results always arrive through callbacks, never inside the call.
import {
  BusinessIdError, CallError, MessageConfig, UserMessageSendResult, UserOnlineStatus,
} from '../shared/codes.js';
import { BUSINESS_ID_PATTERN, isValidId, payloadBytes } from '../shared/limits.js';
import { CallbackEmitter } from './callbacks.js';
import { Connection } from './connection.js';
import { wireEngine, type EngineParts } from './engine-wiring.js';
import { safeLogger } from './logger.js';
import type { Payload } from './messaging/messenger.js';
import { NetworkMonitor } from './network-monitor.js';
import { applyRuntimeParameters, RUNTIME_PARAMETER_KEYS, resolveParameters, type ResolvedParameters } from './parameters.js';
import { SlidingWindow } from './rate-window.js';
import { isMessageConfig, RTSRoom } from './room.js';
import { Session } from './session.js';
import type { LinkManager } from './transport/types.js';
import type { RTSEventHandler, RTSEvents, RTSParameters } from './types.js';
import { SDK_VERSION } from './version.js';

export class RTS {
  private readonly params: ResolvedParameters;
  private readonly log: ReturnType<typeof safeLogger>;
  private readonly events: CallbackEmitter<RTSEvents>;
  private readonly conn: Connection;
  private readonly session: Session;
  private readonly parts: EngineParts;
  private readonly rooms = new Map<string, RTSRoom>();
  private readonly network: NetworkMonitor;
  private readonly rates: Record<'p2p' | 'broadcast' | 'server', SlidingWindow>;
  private lastMsgId = 0;
  private destroyed = false;

  constructor(appId: string, handler?: RTSEventHandler | null, parameters?: RTSParameters) {
    if (typeof appId !== 'string' || appId.length === 0 || appId.length > 64) {
      throw new TypeError('createRTS: appId must be a non-empty string (the 24-character app id)');
    }
    this.params = resolveParameters(parameters);
    this.log = safeLogger(() => this.params.logger);
    this.events = new CallbackEmitter<RTSEvents>(this.log);
    this.events.handler = handler ?? null;
    this.conn = new Connection({
      url: this.params.server,
      logger: this.log,
      requestTimeoutMs: () => this.params.requestTimeoutMs,
      reconnect: () => this.params.reconnect,
    });
    const limits = () => this.session.limits;
    this.rates = {
      p2p: new SlidingWindow(() => limits().p2pPerSecond),
      broadcast: new SlidingWindow(() => limits().roomBroadcastPerSecond),
      server: new SlidingWindow(() => limits().serverMessagePerSecond),
    };
    this.parts = wireEngine({
      params: this.params,
      log: this.log,
      events: this.events,
      conn: this.conn,
      rooms: this.rooms,
      session: () => this.session,
      roomHostExtras: {
        nextMsgId: () => ++this.lastMsgId,
        takeRate: (kind) => this.rates[kind].tryTake(),
        destroyed: () => this.destroyed,
        forget: (room) => {
          if (this.rooms.get(room.roomId) === room) this.rooms.delete(room.roomId);
        },
      },
    });
    this.session = new Session(this.conn, appId, this.events, this.parts.hooks, this.log);
    this.network = new NetworkMonitor((type) => this.events.fire('onNetworkTypeChanged', type), () => this.params.networkPollMs);
    // After the constructor, so listeners added with rts.on() right after createRTS hear it too.
    queueMicrotask(() => {
      if (!this.destroyed) this.network.start();
    });
  }

  // ---- events -------------------------------------------------------------------------------

  on<K extends keyof RTSEvents>(event: K, fn: RTSEvents[K]): this {
    this.events.on(event, fn);
    return this;
  }

  off<K extends keyof RTSEvents>(event: K, fn: RTSEvents[K]): this {
    this.events.off(event, fn);
    return this;
  }

  once<K extends keyof RTSEvents>(event: K, fn: RTSEvents[K]): this {
    this.events.once(event, fn);
    return this;
  }

  /** Replaces the handler object given to createRTS. */
  setEventHandler(handler: RTSEventHandler | null): void {
    this.events.handler = handler;
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Logs out, leaves rooms, closes links and the socket, stops every timer. Idempotent. */
  destroy(): number {
    if (this.destroyed) return 0;
    this.destroyed = true;
    this.network.stop();
    for (const room of [...this.rooms.values()]) room.destroy();
    this.session.destroy();
    this.parts.destroy();
    this.events.removeAllListeners();
    this.events.handler = null;
    return 0;
  }

  destroyRTS(): number {
    return this.destroy();
  }

  getSdkVersion(): string {
    return SDK_VERSION;
  }

  /** Before login only: 0, -6001 too late (logging in / logged in), -6002 invalid id. */
  setBusinessId(businessId: string): number {
    if (this.destroyed) return CallError.NotReady;
    if (this.session.phase !== 'out') return BusinessIdError.TooLate;
    if (typeof businessId !== 'string' || !BUSINESS_ID_PATTERN.test(businessId)) return BusinessIdError.Invalid;
    this.session.businessId = businessId;
    return 0;
  }

  /**
   * Changes documented parameters (keys of RuntimeParameters in types.ts; an object or its JSON).
   * 0 when everything was applied; -2 when a key is unknown or a value invalid — those are
   * logged with the accepted keys and not applied, the valid ones are.
   */
  setRuntimeParameters(parameters: object | string): number {
    if (this.destroyed) return CallError.NotReady;
    const update = applyRuntimeParameters(this.params, parameters);
    if (!update) {
      this.log.warn('setRuntimeParameters expects an object (or its JSON text)');
      return CallError.BadArgument;
    }
    if (update.unknownKeys.length > 0) {
      this.log.warn(
        `setRuntimeParameters: unknown key(s) not applied: ${update.unknownKeys.join(', ')} (known: ${RUNTIME_PARAMETER_KEYS.join(', ')})`,
      );
    }
    for (const { key, message } of update.invalid) this.log.warn(`setRuntimeParameters: ${key} not applied: ${message}`);
    this.parts.runtimeChanged(Object.keys(update.applied));
    return update.unknownKeys.length > 0 || update.invalid.length > 0 ? CallError.BadArgument : 0;
  }

  // ---- login --------------------------------------------------------------------------------

  /** 0 = logging in (result in onLoginResult), -1 destroyed or already logged in, -2 bad argument. */
  login(token: string, uid: string): number {
    if (this.destroyed) return CallError.NotReady;
    return this.session.login(token, uid);
  }

  logout(): number {
    if (this.destroyed) return CallError.NotReady;
    return this.session.logout();
  }

  updateLoginToken(token: string): number {
    if (this.destroyed) return CallError.NotReady;
    return this.session.updateToken(token);
  }

  setServerParams(signature: string, url: string): number {
    if (this.destroyed) return CallError.NotReady;
    if (typeof signature !== 'string' || typeof url !== 'string') return CallError.BadArgument;
    this.parts.setServerParams(signature, url);
    return 0;
  }

  getPeerOnlineStatus(uid: string): number {
    if (this.destroyed) return CallError.NotReady;
    if (typeof uid !== 'string') return CallError.BadArgument;
    const report = (status: UserOnlineStatus): void => this.events.fire('onGetPeerOnlineStatus', uid, status);
    const phase = this.session.phase;
    if (uid === this.session.uid && phase !== 'logging-in') {
      queueMicrotask(() => report(phase === 'out' ? UserOnlineStatus.Offline : UserOnlineStatus.Online));
      return 0;
    }
    if (phase !== 'in') {
      queueMicrotask(() => report(UserOnlineStatus.Unreachable));
      return 0;
    }
    if (!isValidId(uid)) {
      queueMicrotask(() => report(UserOnlineStatus.Offline));
      return 0;
    }
    void this.conn.request('presence:query', { uid }).then((r) => {
      if (r.ok && r.reply.code === 0) report(r.reply.status as UserOnlineStatus);
      else report(r.ok ? UserOnlineStatus.Offline : UserOnlineStatus.Unreachable);
    });
    return 0;
  }

  // ---- messages outside rooms ---------------------------------------------------------------

  sendMessage(uid: string, text: string, config?: MessageConfig): number {
    return typeof text === 'string' ? this.sendP2P(uid, text, config) : CallError.BadArgument;
  }

  sendBinaryMessage(uid: string, bytes: Uint8Array, config?: MessageConfig): number {
    return bytes instanceof Uint8Array ? this.sendP2P(uid, bytes.slice(), config) : CallError.BadArgument;
  }

  sendUserMessageOutsideRoom(uid: string, text: string, config?: MessageConfig): number {
    return this.sendMessage(uid, text, config);
  }

  sendUserBinaryMessageOutsideRoom(uid: string, bytes: Uint8Array, config?: MessageConfig): number {
    return this.sendBinaryMessage(uid, bytes, config);
  }

  sendServerMessage(text: string): number {
    return typeof text === 'string' ? this.sendToServer(text) : CallError.BadArgument;
  }

  sendServerBinaryMessage(bytes: Uint8Array): number {
    return bytes instanceof Uint8Array ? this.sendToServer(bytes.slice()) : CallError.BadArgument;
  }

  // ---- rooms --------------------------------------------------------------------------------

  /** A room object, or null (onCreateRoomStateChanged: -1007 bad roomId, -1013 already created here). */
  createRoom(roomId: string): RTSRoom | null {
    if (this.destroyed) return null;
    if (!isValidId(roomId)) {
      this.events.fire('onCreateRoomStateChanged', String(roomId), -1007);
      return null;
    }
    if (this.rooms.has(roomId)) {
      this.events.fire('onCreateRoomStateChanged', roomId, -1013);
      return null;
    }
    const room = new RTSRoom(roomId, this.parts.roomHost);
    this.rooms.set(roomId, room);
    return room;
  }

  /**
   * Diagnostics and tests, not part of the SPEC API: the peer-link layer of the current login
   * session — the built-in one is a PeerLinkManager (client/peer/link-manager.ts) with
   * linkFor(uid) and stats(). null when relay-only, logged out, or while it is still being created.
   */
  debugLinkManager(): LinkManager | null {
    return this.destroyed ? null : this.parts.messenger.linkManager;
  }

  // ---- internals ----------------------------------------------------------------------------

  private sendP2P(uid: string, data: Payload, config: MessageConfig = MessageConfig.ReliableOrdered): number {
    if (typeof uid !== 'string' || !isMessageConfig(config)) return CallError.BadArgument;
    if (this.destroyed) return CallError.NotReady;
    const msgId = ++this.lastMsgId;
    const result = (code: number): void => {
      this.events.fire('onMessageSendResult', msgId, code);
      this.events.fire('onUserMessageSendResultOutsideRoom', msgId, code);
    };
    queueMicrotask(() => {
      const phase = this.session.phase;
      if (phase === 'out' || phase === 'logging-in') return result(UserMessageSendResult.NotLogin);
      if (uid === '') return result(UserMessageSendResult.EmptyUser);
      if (!isValidId(uid) || uid === this.session.uid) return result(UserMessageSendResult.NoReceiver);
      if (payloadBytes(data) > this.session.limits.maxMessageBytes) return result(UserMessageSendResult.ExceedMaxLength);
      if (!this.rates.p2p.tryTake()) return result(UserMessageSendResult.ExceedQPS);
      this.parts.messenger.sendUser(uid, '', data, config, msgId, result);
    });
    return msgId;
  }

  /** ServerParamsNotSet (106) comes from the server, which is the one that knows. */
  private sendToServer(data: Payload): number {
    if (this.destroyed) return CallError.NotReady;
    const msgId = ++this.lastMsgId;
    const result = (code: number, body = ''): void => this.events.fire('onServerMessageSendResult', msgId, code, body);
    queueMicrotask(() => {
      const phase = this.session.phase;
      if (phase === 'out' || phase === 'logging-in') return result(UserMessageSendResult.NotLogin);
      if (phase === 'reconnecting') return result(UserMessageSendResult.NetworkDisconnected);
      if (payloadBytes(data) > this.session.limits.maxMessageBytes) return result(UserMessageSendResult.ExceedMaxLength);
      if (!this.rates.server.tryTake()) return result(UserMessageSendResult.ExceedQPS);
      void this.conn.request('server:message', { msgId, data }).then((r) => {
        if (r.ok) result(r.reply.code, r.reply.body ?? '');
        else result(r.error === 'timeout' ? UserMessageSendResult.Timeout : r.error === 'offline' ? UserMessageSendResult.NetworkDisconnected : UserMessageSendResult.Unknown);
      });
    });
    return msgId;
  }
}

/** A new independent engine (SPEC §2). Throws a TypeError on bad parameters (e.g. no `server`). */
export function createRTS(appId: string, handler?: RTSEventHandler | null, parameters?: RTSParameters): RTS {
  return new RTS(appId, handler, parameters);
}
