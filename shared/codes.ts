// Numeric codes are part of the public contract (SPEC §4): they match the commercial RTS SDK
// this API mirrors, so never renumber an existing member.

export enum LoginErrorCode {
  Success = 0,
  InvalidToken = -1000,
  LoginFailed = -1001,
  InvalidUserId = -1002,
  ServerError = -1003,
}

export enum LogoutReason {
  Logout = 0,
  DuplicateLogin = 1,
}

export enum UserMessageSendResult {
  Success = 0,
  Timeout = 1,
  NetworkDisconnected = 2,
  NoReceiver = 3,
  NoRelayPath = 4,
  ExceedQPS = 5,
  E2BSSendFailed = 17,
  E2BSReturnFailed = 18,
  NotJoin = 100,
  Init = 101,
  NoConnection = 102,
  ExceedMaxLength = 103,
  EmptyUser = 104,
  NotLogin = 105,
  ServerParamsNotSet = 106,
  Unknown = 1000,
}

export enum RoomMessageSendResult {
  Success = 200,
  Timeout = 1,
  NetworkDisconnected = 2,
  ExceedQPS = 5,
  NotJoin = 100,
  Init = 101,
  NoConnection = 102,
  ExceedMaxLength = 103,
  Unknown = 1000,
}

export enum UserOnlineStatus {
  Offline = 0,
  Online = 1,
  Unreachable = 2,
}

export enum ConnectionState {
  Disconnected = 1,
  Connecting = 2,
  Connected = 3,
  Reconnecting = 4,
  Reconnected = 5,
  Lost = 6,
  Failed = 7,
}

export enum NetworkType {
  Unknown = -1,
  Disconnected = 0,
  LAN = 1,
  WiFi = 2,
  Mobile2G = 3,
  Mobile3G = 4,
  Mobile4G = 5,
  Mobile5G = 6,
}

export enum MessageConfig {
  ReliableOrdered = 0,
  UnreliableOrdered = 1,
  UnreliableUnordered = 2,
}

export enum UserOfflineReason {
  Quit = 0,
  Dropped = 1,
  SwitchToInvisible = 2,
  KickedByAdmin = 3,
}

/** States and warnings reported through onRoomStateChanged / onCreateRoomStateChanged. */
export enum RoomErrorCode {
  Joined = 0,
  InvalidToken = -1000,
  JoinFailed = -1001,
  JoinedElsewhere = -1004,
  KickedByServer = -1006,
  InvalidRoomId = -1007,
  TokenExpired = -1009,
  RoomDismissed = -1011,
  RoomAlreadyCreated = -1013,
  DifferentUid = -1014,
  ServerAbnormal = -1084,
  WarnJoinRetrying = -2001,
  WarnNotInRoom = -2011,
}

/** Synchronous return values of calls that cannot be made (sends return a positive msgId otherwise). */
export enum CallError {
  NotReady = -1,
  BadArgument = -2,
}

/** setBusinessId results. */
export enum BusinessIdError {
  Success = 0,
  TooLate = -6001,
  Invalid = -6002,
}

/** onLeaveRoom / join_type */
export enum JoinType {
  First = 0,
  Rejoin = 1,
}
