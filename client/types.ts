// Public types of the client SDK: parameters, callbacks (SPEC §2–3) and the values they carry.
import type {
  ConnectionState,
  LoginErrorCode,
  LogoutReason,
  NetworkType,
  RoomMessageSendResult,
  UserMessageSendResult,
  UserOfflineReason,
  UserOnlineStatus,
} from '../shared/codes.js';
import type { LinkManager, PeerLinkState } from './transport/types.js';

export type { PeerLinkState } from './transport/types.js';

/**
 * What onConnectionStateChanged reports, and when:
 * - Disconnected (1): not logged in — before the first login, after logout()/destroyRTS(), and after
 *   a DuplicateLogin (another session of the same uid took over).
 * - Connecting (2): login() is in progress.
 * - Connected (3): login() succeeded.
 * - Reconnecting (4): the socket dropped while logged in; the engine retries by itself following
 *   `parameters.reconnect`. Rooms, peer links and unacknowledged messages are kept meanwhile.
 * - Reconnected (5): logged in again after a drop (same session: the server resumes it); rooms
 *   are rejoined by themselves (onRoomStateChanged 0 with join_type 1).
 * - Lost (6): the reconnect policy gave up, or the server refused the re-login (e.g. the token is
 *   no longer valid: see onLoginResult). Not retrying any more: call login() again, or
 *   updateLoginToken() after InvalidToken.
 * - Failed (7): login() failed (refused, or no answer within requestTimeoutMs); onLoginResult has
 *   the code. The engine is then logged out, as in Disconnected.
 */
export type { ConnectionState };

/** Where messages go and how the engine logs. Every method is optional except warn/error. */
export interface Logger {
  debug?(message: string, ...details: unknown[]): void;
  info?(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

/** An ICE server entry (same shape as the W3C RTCIceServer). */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** A W3C-compatible WebRTC implementation (what simple-peer's `wrtc` option takes). */
export interface WebRTCImplementation {
  RTCPeerConnection: unknown;
  RTCSessionDescription?: unknown;
  RTCIceCandidate?: unknown;
}

/** An injected implementation, or the name of an installed Node package providing one. */
export type WebRTCOption = WebRTCImplementation | 'wrtc' | 'node-datachannel';

/** Decides when to try reconnecting after the connection to the signaling server dropped. */
export interface ReconnectPolicy {
  /**
   * Delay before attempt `attempt` (1 for the first retry), or null to give up (state Lost).
   * Called again after every failed attempt; the count restarts after a successful re-login.
   */
  nextDelayMs(attempt: number): number | null;
}

/** What the link manager factory gets: everything a WebRTC link layer needs from the engine. */
export interface LinkManagerContext {
  /** The logged-in user's uid (links are between uids). */
  selfUid: string;
  /** parameters.webrtc as given (undefined = globalThis.RTCPeerConnection in browsers). */
  webrtc: WebRTCOption | undefined;
  /** The ICE servers in force; read it when a link is created (setRuntimeParameters can change it). */
  iceServers(): IceServer[];
  /**
   * parameters.iceAddresses in force (undefined = no restriction); read it when a link is created
   * (setRuntimeParameters can change it). Optional for factories built before it existed.
   */
  iceAddresses?(): string[] | undefined;
  logger: Logger;
}

/**
 * Builds the peer-link layer for one login session; the engine destroys it at logout. May be
 * async (e.g. to load a WebRTC implementation first): frames go by relay until it resolves.
 */
export type LinkManagerFactory = (ctx: LinkManagerContext) => LinkManager | Promise<LinkManager>;

/** createRTS's third argument. Only `server` is required. */
export interface RTSParameters {
  /** Signaling server URL, e.g. 'http://127.0.0.1:8080' (ws(s):// works too). Required. */
  server: string;
  /** WebRTC implementation handed to the link manager. Default: globalThis.RTCPeerConnection. */
  webrtc?: WebRTCOption;
  /** STUN/TURN servers. Default [] (LAN/offline use: host candidates only). */
  iceServers?: IceServer[];
  /** Never open peer links; every frame goes through the server relay. Default false. */
  relayOnly?: boolean;
  /**
   * Restrict peer links to these local/remote IP addresses — e.g. ['127.0.0.1'] for same-machine
   * tests, or one LAN interface. ICE candidates with any other address (other interfaces, mDNS
   * names, STUN/TURN addresses not listed) are neither offered nor accepted. Both ends should set
   * it. Default undefined: no restriction. setRuntimeParameters may change it (null = none) for
   * links created afterwards.
   */
  iceAddresses?: string[];
  /** When to retry after a dropped connection. Default: exponentialBackoff() — 500 ms doubling to 5 s, ±20 % jitter, unlimited. */
  reconnect?: ReconnectPolicy;
  /** How long a request to the signaling server may take before it counts as Timeout. Default 10000. */
  requestTimeoutMs?: number;
  /** A reliable message not acknowledged end to end within this long reports Timeout (1). Default 30000. */
  messageTimeoutMs?: number;
  /** Period of onSysStats while logged in. Default 2000. */
  sysStatsIntervalMs?: number;
  /** A reliable frame unacknowledged this long is sent again on the current path. Default 3000. */
  resendAfterMs?: number;
  /** How often Node polls its network interfaces for onNetworkTypeChanged. Default 5000. */
  networkPollMs?: number;
  /** Where the SDK logs. Default: console warn/error only. */
  logger?: Logger;
  /**
   * Builds the WebRTC link layer (client/peer/). Default: the SDK's built-in one when present;
   * null = no peer links (same as relayOnly).
   */
  linkManagerFactory?: LinkManagerFactory | null;
}

/** Keys setRuntimeParameters accepts; anything else is reported and refused. */
export interface RuntimeParameters {
  relayOnly?: boolean;
  iceServers?: IceServer[];
  /** See RTSParameters.iceAddresses; null removes the restriction. */
  iceAddresses?: string[] | null;
  requestTimeoutMs?: number;
  messageTimeoutMs?: number;
  sysStatsIntervalMs?: number;
  resendAfterMs?: number;
  networkPollMs?: number;
  reconnect?: ReconnectPolicy;
  logger?: Logger;
}

export interface UserInfo {
  uid: string;
  extraInfo: string;
}

/** onSysStats, every sysStatsIntervalMs while logged in. Counters are totals since login. */
export interface SysStats {
  /** Round trip of the latest request to the signaling server, in ms. */
  rttMs?: number;
  connectionState: ConnectionState;
  /** Rooms joined (or being joined). */
  rooms: number;
  /** Distinct remote users we share a room with or exchanged P2P messages with. */
  peers: number;
  /** Peer links open right now. */
  p2pLinks: number;
  sentMessages: number;
  receivedMessages: number;
  /** Frames (first transmissions and retransmissions) sent through the server relay. */
  relayedSent: number;
  /** Frames sent over direct peer links. */
  p2pSent: number;
  /** Reliable messages still waiting for their end-to-end acknowledgement. */
  pendingReliable: number;
  /** Payload bytes of messages sent / received (text as UTF-8). */
  bytesSent: number;
  bytesReceived: number;
}

/** onLeaveRoom. */
export interface LeaveRoomStats {
  roomId: string;
  /** Time in the room, in seconds. */
  duration: number;
  /** Room and user messages this room sent / received. */
  sentMessages: number;
  receivedMessages: number;
  sentBytes: number;
  receivedBytes: number;
}

/** Engine callbacks (SPEC §3). Every one is also an event name of `rts.on(...)`. */
export interface RTSEvents {
  onLoginResult: (uid: string, code: LoginErrorCode, elapsedMs: number) => void;
  onLogout: (reason: LogoutReason) => void;
  /** 200 on success, else a UserMessageSendResult-style code (105 before login). */
  onServerParamsSetResult: (code: number) => void;
  onGetPeerOnlineStatus: (uid: string, status: UserOnlineStatus) => void;
  onMessageReceived: (uid: string, text: string) => void;
  onBinaryMessageReceived: (uid: string, bytes: Uint8Array) => void;
  onMessageSendResult: (msgId: number, code: UserMessageSendResult) => void;
  /** Alias of onMessageReceived (RTC flavour of the API). */
  onUserMessageReceivedOutsideRoom: (uid: string, text: string) => void;
  /** Alias of onBinaryMessageReceived. */
  onUserBinaryMessageReceivedOutsideRoom: (uid: string, bytes: Uint8Array) => void;
  /** Alias of onMessageSendResult. */
  onUserMessageSendResultOutsideRoom: (msgId: number, code: UserMessageSendResult) => void;
  onServerMessageSendResult: (msgId: number, code: UserMessageSendResult, body: string) => void;
  onConnectionStateChanged: (state: ConnectionState) => void;
  onNetworkTypeChanged: (type: NetworkType) => void;
  onSysStats: (stats: SysStats) => void;
  /** -1007 bad roomId, -1013 already created in this engine. */
  onCreateRoomStateChanged: (roomId: string, code: number) => void;
  onPeerLinkStateChanged: (uid: string, state: PeerLinkState) => void;
}

/** A handler object for createRTS: any subset of the engine callbacks. */
export type RTSEventHandler = Partial<RTSEvents>;

/** Room callbacks (SPEC §3). Every one is also an event name of `room.on(...)`. */
export interface RTSRoomEvents {
  /**
   * state 0 = joined, extraInfo `{"elapsed":ms,"join_type":0|1}` (1 = rejoined after a reconnect);
   * otherwise a RoomErrorCode (error or -2xxx warning), extraInfo `{}`.
   */
  onRoomStateChanged: (roomId: string, uid: string, state: number, extraInfoJson: string) => void;
  onLeaveRoom: (stats: LeaveRoomStats) => void;
  /** elapsed = ms since this engine joined the room. */
  onUserJoined: (userInfo: UserInfo, elapsed: number) => void;
  onUserLeave: (uid: string, reason: UserOfflineReason) => void;
  onRoomMessageReceived: (uid: string, text: string) => void;
  onRoomBinaryMessageReceived: (uid: string, bytes: Uint8Array) => void;
  /** 200 = delivered to every member (or there was nobody else). */
  onRoomMessageSendResult: (msgId: number, code: RoomMessageSendResult) => void;
  onUserMessageReceived: (uid: string, text: string) => void;
  onUserBinaryMessageReceived: (uid: string, bytes: Uint8Array) => void;
  onUserMessageSendResult: (msgId: number, code: UserMessageSendResult) => void;
}

/** A handler object for setRTSRoomDelegate: any subset of the room callbacks. */
export type RTSRoomEventHandler = Partial<RTSRoomEvents>;
