// rtsmesh client SDK: public entry point (SPEC §2–4).
export { createRTS, RTS } from './engine.js';
export { RTSRoom } from './room.js';
export { SDK_VERSION } from './version.js';
export { exponentialBackoff, type ExponentialBackoffOptions } from './reconnect-policy.js';
export { DEFAULT_PARAMETERS, RUNTIME_PARAMETER_KEYS } from './parameters.js';
export {
  BusinessIdError,
  CallError,
  ConnectionState,
  JoinType,
  LoginErrorCode,
  LogoutReason,
  MessageConfig,
  NetworkType,
  RoomErrorCode,
  RoomMessageSendResult,
  UserMessageSendResult,
  UserOfflineReason,
  UserOnlineStatus,
} from '../shared/codes.js';
export { DEFAULT_LIMITS, ID_PATTERN, type Limits } from '../shared/limits.js';
export type {
  IceServer,
  LeaveRoomStats,
  LinkManagerContext,
  LinkManagerFactory,
  Logger,
  PeerLinkState,
  ReconnectPolicy,
  RTSEventHandler,
  RTSEvents,
  RTSParameters,
  RTSRoomEventHandler,
  RTSRoomEvents,
  RuntimeParameters,
  SysStats,
  UserInfo,
  WebRTCImplementation,
  WebRTCOption,
} from './types.js';
export type { LinkManager, LinkManagerEvents, ChannelKind, LinkReason } from './transport/types.js';
