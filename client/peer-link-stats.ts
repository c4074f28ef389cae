// getPeerLinkStats (SPEC §10): which path a peer really uses. The state is the one
// onPeerLinkStateChanged reported; the candidate type and round trip come from the WebRTC
// stack's own statistics of the selected candidate pair (client/peer/link-stats.ts); bytes are
// what this SDK handed to, and got from, that peer's current link.
import type { CandidateType } from './peer/link-stats.js';
import type { PeerLink } from './peer/peer-link.js';
import type { LinkManager, PeerLinkState } from './transport/types.js';

export type { CandidateType };

export interface PeerLinkStats {
  /** As in onPeerLinkStateChanged. */
  state: PeerLinkState;
  /** The selected local ICE candidate's type ('relay' = through TURN); null without a connected link. */
  candidateType: CandidateType | null;
  /** The selected remote candidate's type; null without a connected link. */
  remoteCandidateType: CandidateType | null;
  /** Round trip of the selected pair as the stack measures it, in ms; null when unknown. */
  rttMs: number | null;
  /**
   * The current link's id (null without one). It changes when the link is rebuilt, not when it
   * only went silent, or had its ICE restarted, and came back.
   */
  linkId: string | null;
  /** ICE restarts made on the current link. */
  iceRestarts: number;
  /** Bytes sent / received on the current link (0 without one). */
  bytesSent: number;
  bytesReceived: number;
}

/** The link manager's current link to `uid`, when it is the built-in one (client/peer/). */
function linkOf(manager: LinkManager | null, uid: string): PeerLink | undefined {
  const m = manager as (LinkManager & { linkFor?(uid: string): PeerLink | undefined }) | null;
  return typeof m?.linkFor === 'function' ? m.linkFor(uid) : undefined;
}

export async function peerLinkStats(state: PeerLinkState | undefined, manager: LinkManager | null, uid: string): Promise<PeerLinkStats | null> {
  if (state === undefined) return null;
  const link = linkOf(manager, uid);
  const base: PeerLinkStats = {
    state,
    candidateType: null,
    remoteCandidateType: null,
    rttMs: null,
    linkId: link?.lid ?? null,
    iceRestarts: link?.iceRestarts ?? 0,
    bytesSent: link?.bytesSent ?? 0,
    bytesReceived: link?.bytesReceived ?? 0,
  };
  if (!link || link.isClosed) return base;
  const path = await link.selectedPath();
  return { ...base, ...path };
}
