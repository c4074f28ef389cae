// Human names for the SDK's numeric codes (SPEC §4). The numbers are part of the contract, so the
// tables below are the fallback; when the bundle exports the enums (TypeScript numeric enums,
// which map value → name too), those are used instead, so names never drift from the SDK.

const FALLBACK = {
  ConnectionState: { Disconnected: 1, Connecting: 2, Connected: 3, Reconnecting: 4, Reconnected: 5, Lost: 6, Failed: 7 },
  UserOnlineStatus: { Offline: 0, Online: 1, Unreachable: 2 },
  LoginErrorCode: { Success: 0, InvalidToken: -1000, LoginFailed: -1001, InvalidUserId: -1002, ServerError: -1003 },
  LogoutReason: { Logout: 0, DuplicateLogin: 1 },
  UserMessageSendResult: {
    Success: 0, Timeout: 1, NetworkDisconnected: 2, NoReceiver: 3, NoRelayPath: 4, ExceedQPS: 5,
    E2BSSendFailed: 17, E2BSReturnFailed: 18, NotJoin: 100, Init: 101, NoConnection: 102,
    ExceedMaxLength: 103, EmptyUser: 104, NotLogin: 105, ServerParamsNotSet: 106, Unknown: 1000,
  },
  RoomMessageSendResult: {
    Success: 200, Timeout: 1, NetworkDisconnected: 2, ExceedQPS: 5, NotJoin: 100, Init: 101,
    NoConnection: 102, ExceedMaxLength: 103, Unknown: 1000,
  },
  UserOfflineReason: { Quit: 0, Dropped: 1, SwitchToInvisible: 2, KickedByAdmin: 3 },
  RoomErrorCode: {
    Joined: 0, InvalidToken: -1000, JoinFailed: -1001, JoinedElsewhere: -1004, KickedByServer: -1006,
    InvalidRoomId: -1007, TokenExpired: -1009, RoomDismissed: -1011, RoomAlreadyCreated: -1013,
    DifferentUid: -1014, ServerAbnormal: -1084, WarnJoinRetrying: -2001, WarnNotInRoom: -2011,
  },
  CallError: { NotReady: -1, BadArgument: -2 },
};

/** What a send call returns synchronously when it cannot be made (SPEC §2). */
const CALL_ERRORS = { '-1': 'NotReady', '-2': 'BadArgument' };

/** Per-message limit (SPEC §5), the same for text and binary. */
export const MAX_MESSAGE_BYTES = 65_536;

/** uid and roomId (SPEC §5). */
export const ID_PATTERN = /^[A-Za-z0-9_@.-]{1,128}$/;

/** Builds the code tables from the SDK module namespace (falls back per enum). */
export function createCodes(sdk) {
  const enums = {};
  for (const [name, fallback] of Object.entries(FALLBACK)) {
    const fromSdk = sdk && typeof sdk[name] === 'object' && sdk[name] !== null ? sdk[name] : null;
    enums[name] = fromSdk ?? fallback;
  }
  /** value → name, from an enum object (ignores TypeScript's reverse-mapping entries). */
  const nameOf = (enumName, value) => {
    for (const [key, v] of Object.entries(enums[enumName])) if (v === value) return key;
    return `code ${value}`;
  };
  /** "Timeout (1)" */
  const label = (enumName, value) => `${nameOf(enumName, value)} (${value})`;

  return {
    enums,
    ConnectionState: enums.ConnectionState,
    connectionStateName: (state) => nameOf('ConnectionState', state),
    onlineStatusName: (status) => nameOf('UserOnlineStatus', status),
    loginError: (code) => label('LoginErrorCode', code),
    logoutReason: (reason) => label('LogoutReason', reason),
    offlineReason: (reason) => nameOf('UserOfflineReason', reason),
    roomError: (code) => label('RoomErrorCode', code),
    /** Room broadcast results: 200 is success. */
    roomSendResult: (code) => label('RoomMessageSendResult', code),
    /** P2P (sendMessage / sendBinaryMessage) results: 0 is success. */
    userSendResult: (code) => label('UserMessageSendResult', code),
    /** A negative id returned by a send call. */
    callError: (code) => `${CALL_ERRORS[String(code)] ?? 'error'} (${code})`,
    isRoomWarning: (code) => code <= -2000,
  };
}
