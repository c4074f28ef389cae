// The engine's moving parts and how they are connected: relay path and messaging layer over the
// connection, the link layer's lifetime (per login session, or none in relay-only mode), server
// events routed to rooms, received messages routed to the right callbacks, onSysStats, and what
// happens when the session starts, drops, resumes and ends.
import { UserMessageSendResult } from '../shared/codes.js';
import type { CallbackEmitter } from './callbacks.js';
import type { Connection } from './connection.js';
import { defaultLinkManagerFactory } from './link-factory.js';
import type { safeLogger } from './logger.js';
import { Messenger, normalizePayload, type Payload } from './messaging/messenger.js';
import { declineFor } from './peer/link-signal.js';
import type { ResolvedParameters } from './parameters.js';
import type { RoomHost, RTSRoom } from './room.js';
import type { Session, SessionHooks } from './session.js';
import { SocketRelayPath } from './transport/relay-path.js';
import type { LinkManager } from './transport/types.js';
import type { LinkManagerFactory, RTSEvents, SysStats } from './types.js';

export interface WiringInput {
  params: ResolvedParameters;
  log: ReturnType<typeof safeLogger>;
  events: CallbackEmitter<RTSEvents>;
  conn: Connection;
  rooms: Map<string, RTSRoom>;
  /** Read lazily: the session is created after the wiring. */
  session: () => Session;
  roomHostExtras: Pick<RoomHost, 'nextMsgId' | 'takeRate' | 'destroyed' | 'forget'>;
}

export interface EngineParts {
  messenger: Messenger;
  roomHost: RoomHost;
  hooks: SessionHooks;
  setServerParams(signature: string, url: string): void;
  /** setRuntimeParameters applied these keys. */
  runtimeChanged(keys: string[]): void;
  destroy(): void;
}

export function wireEngine(input: WiringInput): EngineParts {
  const { params, log, events, conn, rooms, session } = input;
  const relay = new SocketRelayPath(conn, log);
  const sendSignal = (to: string, signal: Record<string, unknown>): void => {
    void conn.request('rtc:signal', { to, signal }).then((r) => {
      if (!r.ok || r.reply.code !== 0) log.debug(`rtc:signal to ${to} not relayed: ${r.ok ? r.reply.code : r.error}`);
    });
  };
  const messenger = new Messenger({
    relay,
    logger: log,
    messageTimeoutMs: () => params.messageTimeoutMs,
    resendAfterMs: () => params.resendAfterMs,
    maxMessageBytes: () => session().limits.maxMessageBytes,
    acceptsRoom: (roomId) => rooms.get(roomId)?.acceptsFrames() ?? false,
    sendSignal,
  });
  let serverParams: { signature: string; url: string } | null = null;
  /** Rooms left while the connection was down: the server still counts us in until told. */
  const leaveAfterReconnect = new Set<string>();
  let statsTimer: ReturnType<typeof setInterval> | null = null;

  const deliverOutsideRooms = (from: string, data: Payload): void => {
    if (typeof data === 'string') {
      events.fire('onMessageReceived', from, data);
      events.fire('onUserMessageReceivedOutsideRoom', from, data);
    } else {
      events.fire('onBinaryMessageReceived', from, data);
      events.fire('onUserBinaryMessageReceivedOutsideRoom', from, data);
    }
  };

  messenger.on('message', (from, kind, roomId, data) => {
    if (kind === 'user' && roomId === '') deliverOutsideRooms(from, data);
    else rooms.get(roomId)?.deliver(kind, from, data);
  });
  messenger.on('peerState', (uid, state) => events.fire('onPeerLinkStateChanged', uid, state));

  conn.on('room:user-joined', (ev) => rooms.get(ev.roomId)?.onUserJoined(ev));
  conn.on('room:user-left', (ev) => rooms.get(ev.roomId)?.onUserLeft(ev.uid, ev.reason));
  conn.on('room:closed', (ev) => rooms.get(ev.roomId)?.onClosed(ev.code));
  const linkFactory = (): LinkManagerFactory | null =>
    params.linkManagerFactory === undefined ? defaultLinkManagerFactory : params.linkManagerFactory;
  /**
   * Signals that arrive while the link layer is being created (an async factory: loading a native
   * WebRTC module takes a while). Replayed once it is there: a peer's offer lost here would leave
   * that peer waiting for its connect timeout before trying again. null when nothing is loading.
   */
  let signalsWhileLoading: Array<{ from: string; signal: Record<string, unknown> }> | null = null;
  /** The link layer could not be created (e.g. no WebRTC module): relay only until the next attempt. */
  let linkLayerFailed = false;
  /**
   * Without a link layer (relay-only, or none could be loaded), say so: the peer stops trying
   * instead of retrying a link that can never open and reporting 'connecting' meanwhile.
   */
  const declineLinks = (ev: { from: string; signal: Record<string, unknown> }): void => {
    const decline = declineFor(ev.signal);
    if (decline) sendSignal(ev.from, decline);
  };
  const MAX_SIGNALS_WHILE_LOADING = 500;
  conn.on('rtc:signal', (ev) => {
    if (messenger.linkManager) {
      messenger.handleSignal(ev.from, ev.signal);
    } else if (signalsWhileLoading) {
      if (signalsWhileLoading.length < MAX_SIGNALS_WHILE_LOADING) signalsWhileLoading.push(ev);
    } else if (params.relayOnly || !linkFactory() || linkLayerFailed) {
      declineLinks(ev);
    }
  });
  conn.on('app:message', (ev) => {
    const data = normalizePayload(ev.data);
    if (ev.kind === 'user') deliverOutsideRooms(ev.from, data);
    else if (ev.roomId !== undefined) rooms.get(ev.roomId)?.deliver(ev.kind === 'room' ? 'broadcast' : 'user', ev.from, data);
  });

  /** Bumped whenever links are attached or detached, so a slow async factory knows it is too late. */
  let linkGeneration = 0;
  const attachLinks = (): void => {
    if (messenger.linkManager) return;
    const factory = linkFactory();
    if (params.relayOnly || !factory) return;
    const generation = ++linkGeneration;
    signalsWhileLoading = [];
    linkLayerFailed = false;
    const adopt = (links: LinkManager): void => {
      if (generation !== linkGeneration || messenger.linkManager) {
        links.destroy();
        return;
      }
      const early = signalsWhileLoading ?? [];
      signalsWhileLoading = null;
      messenger.setLinkManager(links);
      for (const ev of early) messenger.handleSignal(ev.from, ev.signal);
    };
    const failed = (e: unknown): void => {
      log.error('creating the peer link layer failed; using the relay only', e);
      if (generation !== linkGeneration) return;
      linkLayerFailed = true;
      const early = signalsWhileLoading ?? [];
      signalsWhileLoading = null;
      for (const ev of early) declineLinks(ev);
    };
    try {
      const made = factory({ selfUid: session().uid, webrtc: params.webrtc, iceServers: () => params.iceServers, iceAddresses: () => params.iceAddresses, logger: log });
      if (isThenable(made)) made.then(adopt, failed);
      else adopt(made);
    } catch (e) {
      failed(e);
    }
  };

  const detachLinks = (): void => {
    linkGeneration++;
    signalsWhileLoading = null;
    const links = messenger.linkManager;
    if (!links) return;
    messenger.setLinkManager(null);
    try {
      links.destroy();
    } catch (e) {
      log.error('closing the peer link layer failed', e);
    }
  };

  const sysStats = (): SysStats => {
    const m = messenger.stats();
    let joined = 0;
    for (const room of rooms.values()) if (room.joined) joined++;
    const stats: SysStats = {
      connectionState: session().state,
      rooms: joined,
      peers: m.peers,
      p2pLinks: m.p2pLinks,
      sentMessages: m.sentMessages,
      receivedMessages: m.receivedMessages,
      relayedSent: m.relayedSent,
      p2pSent: m.p2pSent,
      pendingReliable: m.pendingReliable,
      bytesSent: m.bytesSent,
      bytesReceived: m.bytesReceived,
    };
    if (conn.rttMs !== undefined) stats.rttMs = conn.rttMs;
    return stats;
  };

  const stopStats = (): void => {
    if (statsTimer) clearInterval(statsTimer);
    statsTimer = null;
  };
  const startStats = (): void => {
    stopStats();
    statsTimer = setInterval(() => events.fire('onSysStats', sysStats()), params.sysStatsIntervalMs);
    (statsTimer as { unref?: () => void }).unref?.();
  };

  const requestServerParams = async (signature: string, url: string): Promise<number> => {
    const r = await conn.request('server:params', { signature, url });
    if (!r.ok) return r.error === 'timeout' ? UserMessageSendResult.Timeout : r.error === 'offline' ? UserMessageSendResult.NetworkDisconnected : UserMessageSendResult.Unknown;
    return r.reply.code === 0 ? 200 : r.reply.code;
  };

  const hooks: SessionHooks = {
    loggedIn(resumed) {
      attachLinks();
      startStats();
      if (!resumed) return;
      for (const roomId of leaveAfterReconnect) {
        if (!rooms.get(roomId)?.acceptsFrames()) void conn.request('room:leave', { roomId });
      }
      leaveAfterReconnect.clear();
      // Rejoin first: the server checks membership for the room frames resent next.
      for (const room of rooms.values()) room.onResumed();
      messenger.relayReconnected();
      // The server may have restarted and forgotten them.
      if (serverParams) void requestServerParams(serverParams.signature, serverParams.url);
    },
    dropped() {
      for (const room of rooms.values()) room.onDropped();
    },
    ended() {
      for (const room of rooms.values()) room.onSessionEnded();
      messenger.reset(UserMessageSendResult.NetworkDisconnected);
      detachLinks();
      stopStats();
      serverParams = null;
      leaveAfterReconnect.clear();
    },
  };

  const roomHost: RoomHost = {
    logger: log,
    messenger,
    uid: () => session().uid,
    phase: () => session().phase,
    whenLoggedIn: () => session().whenLoggedIn(),
    request: (event, payload, timeoutMs) => conn.request(event, payload, timeoutMs),
    leaveOnServer(roomId) {
      const phase = session().phase;
      if (phase === 'in') void conn.request('room:leave', { roomId });
      else if (phase === 'reconnecting') leaveAfterReconnect.add(roomId);
    },
    limits: () => session().limits,
    dropGraceMs: () => session().dropGraceMs,
    ...input.roomHostExtras,
  };

  return {
    messenger,
    roomHost,
    hooks,
    setServerParams(signature, url) {
      const phase = session().phase;
      const report = (code: number): void => events.fire('onServerParamsSetResult', code);
      if (phase !== 'in') {
        const code = phase === 'reconnecting' ? UserMessageSendResult.NetworkDisconnected : UserMessageSendResult.NotLogin;
        queueMicrotask(() => report(code));
        return;
      }
      void requestServerParams(signature, url).then((code) => {
        if (code === 200) serverParams = { signature, url };
        report(code);
      });
    },
    runtimeChanged(keys) {
      const phase = session().phase;
      const live = phase === 'in' || phase === 'reconnecting';
      if (keys.includes('relayOnly') && live) {
        if (params.relayOnly) detachLinks();
        else attachLinks();
      }
      if (keys.includes('sysStatsIntervalMs') && statsTimer) startStats();
    },
    destroy() {
      stopStats();
      detachLinks();
      messenger.destroy();
    },
  };
}

function isThenable<T>(v: T | PromiseLike<T>): v is PromiseLike<T> {
  return typeof (v as Partial<PromiseLike<T>>).then === 'function';
}
