// Candidate lines in SDP.

/** An SDP without its candidate lines (they are trickled separately, see heldCandidates in peer-link.ts). */
export function withoutCandidates(sdp: string): string {
  return sdp
    .split(/\r?\n/)
    .filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates')
    .join('\r\n');
}
