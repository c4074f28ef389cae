// What the messaging layer's facade takes (options, with defaults) and tells (events, stats).
import type { LinkPath, RelayPath } from '../transport/types.js';
import type { Logger, SysStats } from '../base-types.js';
import type { Payload } from './frames.js';

export interface MessengerOptions {
  relay: RelayPath;
  /** Direct links, and the record of which peers we want them to and why. */
  links: LinkPath;
  logger: Logger;
  /** A reliable message unacknowledged this long fails with Timeout. Read on every sweep. */
  messageTimeoutMs(): number;
  /**
   * The resend timeout before a round trip was measured on a lane (then SRTT + 4·RTTVAR, doubled
   * at each expiry, at most max(this, 10 s)).
   */
  resendAfterMs(): number;
  /** Unacknowledged messages per receiver, at most; a sender beyond it waits. Default 128. */
  maxUnacked?: number;
  /** Whether frames of room `roomId` are welcome (we are in it or joining it). */
  acceptsRoom(roomId: string): boolean;
  /**
   * Largest payload delivered (limits.maxMessageBytes). Honest senders never exceed it and the
   * relay refuses more; a peer link is checked here. Default: no check.
   */
  maxMessageBytes?(): number;
  now?: () => number;
}

export interface MessengerEvents {
  /** A message for the API: kind 'broadcast' → room broadcast in roomId; 'user' → roomId '' = outside rooms. */
  message: (from: string, kind: 'broadcast' | 'user', roomId: string, data: Payload) => void;
}

/** The messaging layer's share of onSysStats. */
export type MessengerStats = Pick<
  SysStats,
  'sentMessages' | 'receivedMessages' | 'relayedSent' | 'p2pSent' | 'pendingReliable' | 'bytesSent' | 'bytesReceived' | 'resends'
>;
