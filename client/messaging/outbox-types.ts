// The outbox's vocabulary: messages as the API tracks them, how callers pick pending frames, and
// the outbox's options.
import type { RtoBounds, Via } from './lane.js';

export type { MessageKind, TrackedMessage, Via } from './lane.js';

/** Which pending frames an operation is about; every given condition must hold. */
export interface PendingSelector {
  /** One receiver, or a test on the receiver. */
  uid?: string | ((uid: string) => boolean);
  /** The path the frame went on last. */
  via?: Via;
  /** Sent last at or before this time. */
  sentBefore?: number;
}

export interface OutboxOptions {
  now?: () => number;
  /** Unacknowledged messages per receiver lane, at most; more wait their turn. Default 128. */
  window?: number;
  /** Resend timer bounds. Default: initial 1000, min 200, max 10000 ms. */
  rto?: () => RtoBounds;
  /** How long sent room broadcasts are kept for members that missed them. Default 30 s. */
  historyMs?: () => number;
  /** How many sent room broadcasts are kept per room. Default 4096. */
  historyFrames?: number;
}

