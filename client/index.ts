// rtsmesh client SDK: public entry point (SPEC §2–4).
export { createRTS, RTS } from './engine.js';
export { RTSRoom } from './room.js';
export { RTSError, type RTSPromises, type RTSRoomPromises, type SendResult } from './promises.js';
export { SDK_VERSION } from './version.js';
export { exponentialBackoff } from './retry-policy.js';
export { DEFAULT_PARAMETERS, ParameterError, RUNTIME_PARAMETER_KEYS } from './parameters.js';
export { WebRTCUnavailableError } from './peer/webrtc-impl.js';
export type { CandidateType, PeerLinkStats } from './peer-link-stats.js';
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
  ChannelKind,
  ExponentialBackoffOptions,
  IceServer,
  LeaveRoomStats,
  LinkManagerContext,
  LinkManagerEvents,
  LinkManagerFactory,
  LinkReason,
  LinkManager,
  Logger,
  NodeWebRTCName,
  PathReason,
  PeerLinkState,
  ReconnectPolicy,
  RetryContext,
  RetryPolicy,
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
