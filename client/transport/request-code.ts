// What a request to the signaling server that got no usable reply means for a send result:
// one mapping for every caller (relay, app-server messages, app-server parameters).
import { UserMessageSendResult } from '../../shared/codes.js';
import type { RequestResult } from '../connection.js';

/** The reply's code, or the UserMessageSendResult a failed request reports. */
export function requestCode<R extends { code: number }>(result: RequestResult<R>): number {
  if (result.ok) return result.reply.code;
  if (result.error === 'timeout') return UserMessageSendResult.Timeout;
  if (result.error === 'offline') return UserMessageSendResult.NetworkDisconnected;
  return UserMessageSendResult.Unknown;
}
