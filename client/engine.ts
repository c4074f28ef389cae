// RTS: the engine (SPEC §2), and the one place its parts are built and connected: the signaling
// connection (connection.ts) and the login session over it (session.ts), the direct links
// (link-layer.ts) that signaling reaches directly, the messaging layer (messaging/) over both
// paths, rooms (room.ts), onSysStats and the app-server parameters. Public methods check their
// arguments and delegate; results always arrive through callbacks, never inside the call.
import {
  BusinessIdError, CallError, MessageConfig, RoomErrorCode, UserMessageSendResult, UserOnlineStatus,
} from '../shared/codes.js';
import { BUSINESS_ID_PATTERN, isValidId } from '../shared/limits.js';
import { CallbackSource } from './callbacks.js';
import { Connection } from './connection.js';
import type { RTSEventHandler, RTSEvents } from './events.js';
import { defaultLinkManagerFactory } from './link-factory.js';
import { LinkLayer } from './link-layer.js';
import { peerLinkStats, type PeerLinkStats } from './peer-link-stats.js';
import { safeLogger } from './logger.js';
import { routeInbound } from './inbound.js';
import { copyPayload, Messenger, type Payload } from './messaging/messenger.js';
import { NetworkMonitor } from './network-monitor.js';
import { RTSPromises } from './promises.js';
import {
  applyRuntimeParameters, RUNTIME_PARAMETER_KEYS, resolveParameters, type ResolvedParameters, type RTSParameters,
} from './parameters.js';
import { toRetryPolicy } from './retry-policy.js';
import { isMessageConfig, RTSRoom, type RoomHost } from './room.js';
import { SendGate } from './send-gate.js';
import { ServerParams } from './server-params.js';
import { Session } from './session.js';
import { SysStatsTimer } from './sys-stats.js';
import { requestCode } from './transport/request-code.js';
import { SocketRelayPath } from './transport/relay-path.js';
import type { LinkManager, LinkManagerFactory } from './transport/types.js';
import { SDK_VERSION } from './version.js';

export class RTS extends CallbackSource<RTSEvents> {
  /**
   * The Promise form of every method that reports through a callback: `await
   * rts.promises.login(token, uid)`, `const { msgId } = await rts.promises.sendMessage(uid, text)`.
   * The callbacks fire as before; a refusal rejects with an RTSError carrying the callback's code.
   */
  readonly promises: RTSPromises = new RTSPromises(this);
  private readonly params: ResolvedParameters;
  private readonly log: ReturnType<typeof safeLogger>;
  private readonly conn: Connection;
  private readonly session: Session;
  private readonly links: LinkLayer;
  private readonly messenger: Messenger;
  private readonly sends: SendGate;
  private readonly serverParams: ServerParams;
  private readonly sysStats: SysStatsTimer;
  private readonly network: NetworkMonitor;
  private readonly rooms = new Map<string, RTSRoom>();
  private readonly roomHost: RoomHost;
  /** Rooms left while the connection was down: the server still counts us in until told. */
  private readonly leaveAfterReconnect = new Set<string>();
  private destroyed = false;

  constructor(appId: string, handler?: RTSEventHandler | null, parameters?: RTSParameters) {
    if (typeof appId !== 'string' || appId.length === 0 || appId.length > 64) {
      throw new TypeError('createRTS: appId must be a non-empty string (the 24-character app id)');
    }
    const params = resolveParameters(parameters);
    const log = safeLogger(() => params.logger);
    super(log);
    this.params = params;
    this.log = log;
    const events = this.events;
    events.handler = handler ?? null;
    const conn = (this.conn = new Connection({
      url: params.server,
      logger: log,
      requestTimeoutMs: () => params.requestTimeoutMs,
      reconnect: () => toRetryPolicy(params.reconnect),
    }));
    const session = (this.session = new Session(conn, appId, events, {
      loggedIn: (resumed) => this.loggedIn(resumed),
      dropped: () => this.rooms.forEach((room) => room.onDropped()),
      ended: () => this.sessionEnded(),
    }, log));
    this.sends = new SendGate(() => session.limits);
    this.links = new LinkLayer({
      logger: log,
      factory: () => this.linkFactory(),
      context: () => ({
        selfUid: session.uid,
        webrtc: params.webrtc,
        // The app's own list wins over the server's (SPEC §10).
        iceServers: () => (params.ownIceServers ? params.iceServers : session.ice.current),
        iceAddresses: () => params.iceAddresses,
        linkTimeoutMs: () => params.linkTimeoutMs,
        logger: log,
      }),
      caps: () => ({ perRoom: params.maxPeerLinks, total: params.maxPeerLinksTotal }),
      sendSignal: (to, signal) => {
        void conn.request('rtc:signal', { to, signal }).then((r) => {
          if (!r.ok || r.reply.code !== 0) log.debug(`rtc:signal to ${to} not relayed: ${r.ok ? r.reply.code : r.error}`);
        });
      },
    });
    this.messenger = new Messenger({
      relay: new SocketRelayPath(conn, log),
      links: this.links,
      logger: log,
      messageTimeoutMs: () => params.messageTimeoutMs,
      resendAfterMs: () => params.resendAfterMs,
      maxMessageBytes: () => session.limits.maxMessageBytes,
      acceptsRoom: (roomId) => this.rooms.get(roomId)?.acceptsFrames() ?? false,
    });
    this.serverParams = new ServerParams(conn, () => session.phase, (code) => events.fire('onServerParamsSetResult', code));
    const sources = {
      state: () => session.state,
      joinedRooms: () => [...this.rooms.values()].filter((room) => room.joined).length,
      roomIds: () => [...this.rooms.values()].filter((room) => room.joined).map((room) => room.roomId),
      links: this.links,
      messenger: this.messenger,
      rttMs: () => conn.rttMs,
    };
    this.sysStats = new SysStatsTimer(sources, () => params.sysStatsIntervalMs, (s) => events.fire('onSysStats', s));
    this.roomHost = {
      logger: log,
      messenger: this.messenger,
      sends: this.sends,
      uid: () => session.uid,
      phase: () => session.phase,
      whenLoggedIn: () => session.whenLoggedIn(),
      request: (event, payload, timeoutMs) => conn.request(event, payload, timeoutMs),
      leaveOnServer: (roomId) => this.leaveOnServer(roomId),
      limits: () => session.limits,
      dropGraceMs: () => session.dropGraceMs,
      destroyed: () => this.destroyed,
      forget: (room) => {
        if (this.rooms.get(room.roomId) === room) this.rooms.delete(room.roomId);
      },
    };
    routeInbound({ conn, messenger: this.messenger, links: this.links, rooms: this.rooms, events });
    this.network = new NetworkMonitor((type) => events.fire('onNetworkTypeChanged', type), () => params.networkPollMs);
    // After the constructor, so listeners added with rts.on() right after createRTS hear it too.
    queueMicrotask(() => {
      if (!this.destroyed) this.network.start();
    });
  }

  // ---- events -------------------------------------------------------------------------------

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
    this.sysStats.stop();
    this.links.destroy();
    this.messenger.destroy();
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
   * Changes documented parameters (keys of RuntimeParameters; an object or its JSON).
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
    const live = this.session.phase === 'in' || this.session.phase === 'reconnecting';
    if ('relayOnly' in update.applied && live) {
      if (this.params.relayOnly) this.links.detach();
      else this.links.attach();
    }
    if ('sysStatsIntervalMs' in update.applied && this.sysStats.running) this.sysStats.start();
    if ('maxPeerLinks' in update.applied || 'maxPeerLinksTotal' in update.applied) this.links.rebalance();
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
    this.serverParams.set(signature, url);
    return 0;
  }

  /**
   * Which path `uid` really uses (SPEC §10): the state of onPeerLinkStateChanged, the selected
   * ICE candidate type ('relay' = through TURN), round trip and bytes. null for a peer this engine
   * never wanted a link to.
   */
  getPeerLinkStats(uid: string): Promise<PeerLinkStats | null> {
    return peerLinkStats(this.links.pathOf(uid), this.links.current, uid);
  }

  getPeerOnlineStatus(uid: string): number {
    if (this.destroyed) return CallError.NotReady;
    if (typeof uid !== 'string') return CallError.BadArgument;
    const report = (status: UserOnlineStatus): void => this.events.fire('onGetPeerOnlineStatus', uid, status);
    const phase = this.session.phase;
    if (uid === this.session.uid && phase !== 'logging-in') {
      queueMicrotask(() => report(phase === 'out' ? UserOnlineStatus.Offline : UserOnlineStatus.Online));
    } else if (phase !== 'in') {
      queueMicrotask(() => report(UserOnlineStatus.Unreachable));
    } else if (!isValidId(uid)) {
      queueMicrotask(() => report(UserOnlineStatus.Offline));
    } else {
      void this.conn.request('presence:query', { uid }).then((r) => {
        if (r.ok && r.reply.code === 0) report(r.reply.status as UserOnlineStatus);
        else report(r.ok ? UserOnlineStatus.Offline : UserOnlineStatus.Unreachable);
      });
    }
    return 0;
  }

  // ---- messages outside rooms ---------------------------------------------------------------

  sendMessage(uid: string, text: string, config?: MessageConfig): number {
    return typeof text === 'string' ? this.sendP2P(uid, text, config) : CallError.BadArgument;
  }

  sendBinaryMessage(uid: string, bytes: Uint8Array, config?: MessageConfig): number {
    return bytes instanceof Uint8Array ? this.sendP2P(uid, copyPayload(bytes), config) : CallError.BadArgument;
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
      this.events.fire('onCreateRoomStateChanged', String(roomId), RoomErrorCode.InvalidRoomId);
      return null;
    }
    if (this.rooms.has(roomId)) {
      this.events.fire('onCreateRoomStateChanged', roomId, RoomErrorCode.RoomAlreadyCreated);
      return null;
    }
    const room = new RTSRoom(roomId, this.roomHost);
    this.rooms.set(roomId, room);
    return room;
  }

  /**
   * Diagnostics and tests, not part of the SPEC API: the peer-link layer of the current login
   * session — the built-in one is a PeerLinkManager (client/peer/link-manager.ts) with
   * linkFor(uid) and stats(). null when relay-only, logged out, or while it is still being created.
   */
  debugLinkManager(): LinkManager | null {
    return this.destroyed ? null : this.links.current;
  }

  // ---- internals: sends ---------------------------------------------------------------------

  private sendP2P(uid: string, data: Payload, config: MessageConfig = MessageConfig.ReliableOrdered): number {
    if (typeof uid !== 'string' || !isMessageConfig(config)) return CallError.BadArgument;
    if (this.destroyed) return CallError.NotReady;
    const result = (msgId: number, code: number): void => {
      this.events.fire('onMessageSendResult', msgId, code);
      this.events.fire('onUserMessageSendResultOutsideRoom', msgId, code);
    };
    const phase = (): number | null => (this.session.phase === 'out' || this.session.phase === 'logging-in' ? UserMessageSendResult.NotLogin : null);
    const to = { uid, reachable: (peer: string) => peer !== this.session.uid };
    return this.sends.submit(result, () => ({ blocked: phase(), to, data, rate: 'p2p' }), (msgId) => {
      this.messenger.sendUser(uid, '', data, config, msgId, (code) => result(msgId, code));
    });
  }

  /** ServerParamsNotSet (106) comes from the server, which is the one that knows. */
  private sendToServer(data: Payload): number {
    if (this.destroyed) return CallError.NotReady;
    const result = (msgId: number, code: number, body = ''): void => this.events.fire('onServerMessageSendResult', msgId, code, body);
    const blocked = (): number | null => {
      const phase = this.session.phase;
      if (phase === 'out' || phase === 'logging-in') return UserMessageSendResult.NotLogin;
      return phase === 'reconnecting' ? UserMessageSendResult.NetworkDisconnected : null;
    };
    return this.sends.submit(result, () => ({ blocked: blocked(), data, rate: 'server' }), (msgId) => {
      void this.conn.request('server:message', { msgId, data }).then((r) => result(msgId, requestCode(r), r.ok ? (r.reply.body ?? '') : ''));
    });
  }

  // ---- internals: how the parts are connected -----------------------------------------------

  /** The link layer in force: none in relay-only mode; `null` in the parameters means none either. */
  private linkFactory(): LinkManagerFactory | null {
    if (this.params.relayOnly) return null;
    return this.params.linkManagerFactory === undefined ? defaultLinkManagerFactory : this.params.linkManagerFactory;
  }

  private loggedIn(resumed: boolean): void {
    this.links.attach();
    this.sysStats.start();
    if (!resumed) return;
    for (const roomId of this.leaveAfterReconnect) {
      if (!this.rooms.get(roomId)?.acceptsFrames()) void this.conn.request('room:leave', { roomId });
    }
    this.leaveAfterReconnect.clear();
    // Rejoin first: the server checks membership for the room frames resent next.
    for (const room of this.rooms.values()) room.onResumed();
    this.messenger.relayReconnected();
    this.serverParams.restore();
  }

  /** The session ended (logout, displaced, lost, destroy): rooms, links and pending messages go. */
  private sessionEnded(): void {
    for (const room of this.rooms.values()) room.onSessionEnded();
    this.messenger.reset(UserMessageSendResult.NetworkDisconnected);
    this.links.detach();
    this.sysStats.stop();
    this.serverParams.clear();
    this.leaveAfterReconnect.clear();
  }

  /** room:leave now, or after the reconnect when the connection is down. */
  private leaveOnServer(roomId: string): void {
    const phase = this.session.phase;
    if (phase === 'in') void this.conn.request('room:leave', { roomId });
    else if (phase === 'reconnecting') this.leaveAfterReconnect.add(roomId);
  }
}

/** A new independent engine (SPEC §2). Throws a TypeError on bad parameters (e.g. no `server`). */
export function createRTS(appId: string, handler?: RTSEventHandler | null, parameters?: RTSParameters): RTS {
  return new RTS(appId, handler, parameters);
}
