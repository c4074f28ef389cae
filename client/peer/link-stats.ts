// Which path a link really uses, read from RTCPeerConnection.getStats() (SPEC §10,
// getPeerLinkStats). Stacks differ in what they report:
// - browsers and @roamhq/wrtc: the selected pair is `transport.selectedCandidatePairId`
//   (Firefox has no transport stats: its pair carries `selected: true`); round trip in seconds;
// - node-datachannel's polyfill synthesizes one pair (always "nominated"), names the candidate
//   address `ip`, and reports libdatachannel's SCTP round trip in milliseconds.

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

export interface SelectedPath {
  /** Type of the selected local candidate; 'relay' means through TURN. */
  candidateType: CandidateType | null;
  /** Type of the selected remote candidate. */
  remoteCandidateType: CandidateType | null;
  /** Current round trip of the selected pair, in ms. */
  rttMs: number | null;
}

type Report = Record<string, unknown> & { type?: string; id?: string };

const TYPES = new Set<string>(['host', 'srflx', 'prflx', 'relay']);

function candidateType(r: Report | undefined): CandidateType | null {
  const t = r?.candidateType;
  return typeof t === 'string' && TYPES.has(t) ? (t as CandidateType) : null;
}

/** The selected candidate pair of `pc`, or nulls when there is none (yet). */
export async function readSelectedPath(pc: RTCPeerConnection | null, rttInMs: boolean): Promise<SelectedPath> {
  const none: SelectedPath = { candidateType: null, remoteCandidateType: null, rttMs: null };
  if (!pc) return none;
  let stats: RTCStatsReport;
  try {
    stats = await pc.getStats();
  } catch {
    return none;
  }
  const byId = new Map<string, Report>();
  stats.forEach((r: Report) => {
    if (typeof r.id === 'string') byId.set(r.id, r);
  });
  let pair: Report | undefined;
  for (const r of byId.values()) {
    if (r.type === 'transport' && typeof r.selectedCandidatePairId === 'string') pair = byId.get(r.selectedCandidatePairId);
  }
  if (!pair) {
    for (const r of byId.values()) {
      if (r.type === 'candidate-pair' && (r.selected === true || (r.nominated === true && r.state === 'succeeded'))) pair = r;
    }
  }
  if (!pair) return none;
  const rtt = pair.currentRoundTripTime;
  return {
    candidateType: candidateType(byId.get(pair.localCandidateId as string)),
    remoteCandidateType: candidateType(byId.get(pair.remoteCandidateId as string)),
    rttMs: typeof rtt === 'number' && Number.isFinite(rtt) ? (rttInMs ? rtt : rtt * 1000) : null,
  };
}
