// Which members of a room a member links to directly (SPEC §10: at most maxPeerLinks per room).
//
// Computed, never negotiated: every member places the room's members on a ring ordered by a hash
// of (roomId, uid) and links to the members at a fixed set of ring distances. Distance is
// symmetric, so when both ends see the same membership they pick each other or neither; a pair
// that disagrees for a moment (a join still on its way) is settled by the decline of the side
// that did not pick (the other then uses the server) and by the re-balance after the debounce.
//
// Distances 1 … ⌊k/2⌋ both ways: every member gets the same degree (2⌊k/2⌋ ≤ k), so nobody ends
// up with all the links, and a join or leave changes only the links around its ring position
// (about k links in the room). No long-range chords: frames never hop over the mesh (what a
// member has no link to goes once through the server), so the graph's diameter does not matter,
// and a chord at a fraction of the room size would move at every join. A room of at most k + 1
// members is a full mesh.

/** FNV-1a, 32 bits: stable across runtimes and cheap; only the spread matters here. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The ring distances a member links at, for a cap of `k` (a room of more than k + 1 members). */
function distances(k: number): number[] {
  return Array.from({ length: Math.floor(k / 2) }, (_, i) => i + 1);
}

/**
 * The members `self` links to in `roomId`, given every member of the room (with or without
 * self). Deterministic in (roomId, the member set, k): both ends of a pair agree.
 */
export function selectRoomPeers(self: string, roomId: string, members: Iterable<string>, maxLinks: number): Set<string> {
  const all = new Set(members);
  all.add(self);
  const others = [...all].filter((uid) => uid !== self);
  if (others.length <= maxLinks) return new Set(others);
  const ring = [...all]
    .map((uid) => ({ uid, h: hash32(`${roomId}\n${uid}`) }))
    .sort((a, b) => a.h - b.h || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0))
    .map((m) => m.uid);
  const n = ring.length;
  const at = ring.indexOf(self);
  const chosen = new Set<string>();
  for (const d of distances(maxLinks)) {
    chosen.add(ring[(at + d) % n]);
    chosen.add(ring[(at - d + n) % n]);
  }
  chosen.delete(self);
  return chosen;
}
