// What the messaging layer's facade takes (options, with defaults) and tells (events, stats).
import type { PeerLinkState, RelayPath } from '../transport/types.js';
import type { Logger, SysStats } from '../types.js';
import type { Payload } from './frames.js';

export interface MessengerOptions {
  relay: RelayPath;
  logger: Logger;
  /** A reliable message unacknowledged this long fails with Timeout. Read on every sweep. */
  messageTimeoutMs(): number;
  /** A frame unacknowledged this long is sent again on the current path. */
  resendAfterMs(): number;
  /** Whether frames of room `roomId` are welcome (we are in it or joining it). */
  acceptsRoom(roomId: string): boolean;
  /**
   * Largest payload delivered (limits.maxMessageBytes). Honest senders never exceed it and the
   * relay refuses more; a peer link is checked here. Default: no check.
   */
  maxMessageBytes?(): number;
  /** Signaling data for `uid`, to send through the server (rtc:signal). */
  sendSignal(uid: string, signal: Record<string, unknown>): void;
  /** Ack batching window. Default 5 ms. */
  ackDelayMs?: number;
  now?: () => number;
}

export interface MessengerEvents {
  /** A message for the API: kind 'broadcast' → room broadcast in roomId; 'user' → roomId '' = outside rooms. */
  message: (from: string, kind: 'broadcast' | 'user', roomId: string, data: Payload) => void;
  peerState: (uid: string, state: PeerLinkState) => void;
}

/** The messaging layer's share of onSysStats. */
export type MessengerStats = Pick<
  SysStats,
  'peers' | 'p2pLinks' | 'sentMessages' | 'receivedMessages' | 'relayedSent' | 'p2pSent' | 'pendingReliable' | 'bytesSent' | 'bytesReceived'
>;
