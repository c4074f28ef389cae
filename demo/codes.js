// @ts-check
// Human names for the SDK's numeric codes (SPEC §4) and the limits the demo checks before a send,
// all taken from the SDK bundle itself (its enums map value → name too), so they never drift.

/** @typedef {import('./app-types.js').Sdk} Sdk */

/** @param {Sdk} sdk */
export function createCodes(sdk) {
  /**
   * value → name, from a TypeScript numeric enum (whose reverse mapping gives it directly).
   * @param {Record<string | number, string | number>} enumObject
   * @param {number} value
   */
  const nameOf = (enumObject, value) => {
    const name = enumObject[value];
    return typeof name === 'string' ? name : `code ${value}`;
  };
  /**
   * "Timeout (1)"
   * @param {Record<string | number, string | number>} enumObject
   * @param {number} value
   */
  const label = (enumObject, value) => `${nameOf(enumObject, value)} (${value})`;
  /** @type {Record<string | number, string | number>} */
  const callErrors = sdk.CallError;

  return {
    ConnectionState: sdk.ConnectionState,
    /** @param {number} state */
    connectionStateName: (state) => nameOf(sdk.ConnectionState, state),
    /** @param {number} status */
    onlineStatusName: (status) => nameOf(sdk.UserOnlineStatus, status),
    /** @param {number} code */
    loginError: (code) => label(sdk.LoginErrorCode, code),
    /** @param {number} reason */
    logoutReason: (reason) => label(sdk.LogoutReason, reason),
    /** @param {number} reason */
    offlineReason: (reason) => nameOf(sdk.UserOfflineReason, reason),
    /** @param {number} code */
    roomError: (code) => label(sdk.RoomErrorCode, code),
    /**
     * Room broadcast results: 200 is success.
     * @param {number} code
     */
    roomSendResult: (code) => label(sdk.RoomMessageSendResult, code),
    /**
     * P2P (sendMessage / sendBinaryMessage) results: 0 is success.
     * @param {number} code
     */
    userSendResult: (code) => label(sdk.UserMessageSendResult, code),
    /**
     * A negative id returned by a send call (SPEC §2: it could not be made).
     * @param {number} code
     */
    callError: (code) => `${typeof callErrors[code] === 'string' ? callErrors[code] : 'error'} (${code})`,
    /** @param {number} code */
    isRoomWarning: (code) => code <= -2000,
    /** Per-message limit (SPEC §5), the same for text and binary. */
    maxMessageBytes: sdk.DEFAULT_LIMITS.maxMessageBytes,
    /**
     * uid and roomId (SPEC §5).
     * @param {string} id
     */
    isValidId: (id) => sdk.ID_PATTERN.test(id),
  };
}
