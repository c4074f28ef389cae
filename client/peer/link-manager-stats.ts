// The link manager's diagnostics (PeerLinkManagerStats): live links plus what closed ones counted.
import type { PeerLinkManagerStats } from './link-manager-types.js';
import type { PeerLink } from './peer-link.js';

export interface ClosedTotals {
  bytesSent: number;
  bytesReceived: number;
  dropped: number;
  malformed: number;
}

export function newTotals(): ClosedTotals {
  return { bytesSent: 0, bytesReceived: 0, dropped: 0, malformed: 0 };
}

/** Keeps the totals of a link that is gone (counted once: a link closes once). */
export function retire(totals: ClosedTotals, link: PeerLink): void {
  totals.bytesSent += link.bytesSent;
  totals.bytesReceived += link.bytesReceived;
  totals.dropped += link.framesDropped;
  totals.malformed += link.malformed;
}

export function sumStats(closed: ClosedTotals, links: readonly PeerLink[], ignoredSignals: number): PeerLinkManagerStats {
  const stats: PeerLinkManagerStats = {
    links: links.length,
    open: 0,
    bytesSent: closed.bytesSent,
    bytesReceived: closed.bytesReceived,
    queuedBytes: 0,
    malformedMessages: closed.malformed,
    ignoredSignals,
    unreliableFramesDropped: closed.dropped,
  };
  for (const link of links) {
    if (link.isOpen) stats.open++;
    stats.bytesSent += link.bytesSent;
    stats.bytesReceived += link.bytesReceived;
    stats.queuedBytes += link.queuedBytes;
    stats.unreliableFramesDropped += link.framesDropped;
    stats.malformedMessages += link.malformed;
  }
  return stats;
}
