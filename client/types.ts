// Public types of the client SDK: parameters, callbacks (SPEC §2–3) and the values they carry.
// They are defined next to the parts that use them and gathered here for the app.
import type { ConnectionState } from '../shared/codes.js';

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

export type { IceServer, Logger, NodeWebRTCName, SysStats, WebRTCImplementation, WebRTCOption } from './base-types.js';
export type {
  LeaveRoomStats, RTSEventHandler, RTSEvents, RTSRoomEventHandler, RTSRoomEvents, UserInfo,
} from './events.js';
export type { RTSParameters, RuntimeParameters } from './parameters.js';
export type { ExponentialBackoffOptions, ReconnectPolicy, RetryContext, RetryPolicy } from './retry-policy.js';
export type {
  ChannelKind, LinkManager, LinkManagerContext, LinkManagerEvents, LinkManagerFactory, LinkReason, PathReason, PeerLinkState,
} from './transport/types.js';
