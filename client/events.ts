// The callbacks of an engine and of a room (SPEC §3) and the values they carry. Every callback is
// also an event name of `rts.on(...)` / `room.on(...)`.
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
import type { SysStats } from './base-types.js';
import type { PathReason, PeerLinkState } from './transport/types.js';

export interface UserInfo {
  uid: string;
  extraInfo: string;
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
  /** `reason` (only with 'relay') says why the peer is on the server: see PathReason. */
  onPeerLinkStateChanged: (uid: string, state: PeerLinkState, reason?: PathReason) => void;
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
