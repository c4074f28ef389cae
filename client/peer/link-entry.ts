// What the link manager (link-manager.ts) keeps per remote uid.
import type { LinkReason } from '../transport/types.js';
import type { PeerLink } from './peer-link.js';

export type UidState = 'connecting' | 'open' | 'down';

export interface Entry {
  uid: string;
  reasons: Set<LinkReason>;
  link: PeerLink | null;
  state: UidState | null;
  /** Consecutive failed attempts, for the backoff. */
  attempt: number;
  /** When the first of those failed (for the backoff's elapsedMs). */
  failingSince: number;
  retryTimer: ReturnType<typeof setTimeout> | null;
  /** Running while an attempt (a link, or a request waiting for an offer) has not opened. */
  connectTimer: ReturnType<typeof setTimeout> | null;
  /** The remote declined links (relay-only): no attempts until it offers or asks itself. */
  declined: boolean;
}

export function newEntry(uid: string): Entry {
  return { uid, reasons: new Set(), link: null, state: null, attempt: 0, failingSince: 0, retryTimer: null, connectTimer: null, declined: false };
}

/**
 * Wanted, allowed, not open, and still being tried (an attempt under way, a retry waiting, or a
 * stalled link that may be rebuilt; not once the backoff policy gave up): the kind of entry
 * that address changes concern.
 */
export function isPending(entry: Entry): boolean {
  if (entry.reasons.size === 0 || entry.declined) return false;
  return entry.state === 'connecting' || (entry.state === 'down' && (entry.link !== null || entry.retryTimer !== null));
}

/**
 * Local addresses appeared (`added`; [] when unknown): whether the uid's attempt should be made
 * afresh. Yes while it waits for a retry or for an offer, and for an attempt whose connection
 * gathered no candidate on one of them. A link that opened and is now stalled ('down' with a
 * link) is left to its liveness and ICE restart: its old path usually comes back by itself.
 */
export function needsFreshAttempt(entry: Entry, added: readonly string[]): boolean {
  if (!isPending(entry)) return false;
  const link = entry.link;
  if (!link) return true;
  if (entry.state !== 'connecting') return false;
  return added.length === 0 || added.some((a) => !link.gatheredAddresses.has(a));
}
