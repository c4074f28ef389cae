// Issue 11: a room larger than maxPeerLinks + 1 is not a full mesh. 40 members over 3 processes
// (real engines, node-datachannel on loopback, a real server at its default limits): every
// member keeps at most 8 open links, every broadcast reaches the 39 others once and in order
// — directly from the members linked to the sender, once through the server to the rest — and
// every result is 200.
import { describe, expect, it } from 'vitest';
import { deliveryProblems, RoomsFleet, type MemberReport } from '../bench/lib/rooms-fleet.js';
import { useRoomsFleet } from './helpers/rooms.js';
import type { TestServer } from './helpers/server.js';

const N = 40;
const PER_SENDER = 10;
let server: TestServer;
let fleet: RoomsFleet;

useRoomsFleet(3, (s, f) => {
  server = s;
  fleet = f;
});

const maxLinks = (reports: MemberReport[]): number => Math.max(...reports.map((r) => r.openLinks));

describe('a room of 40 with maxPeerLinks 8 (default)', () => {
  it('keeps at most 8 links per member and delivers every broadcast once, in order, with 200', async () => {
    const uids = Array.from({ length: N }, (_, i) => `cap${String(i).padStart(2, '0')}`);
    await fleet.setup(server, uids);
    await fleet.join('big');
    // Settled: every member has its 8 links (the ring gives each member exactly 8).
    const settled = await fleet.waitReports((rs) => rs.every((r) => r.openLinks === 8), 90_000);
    expect(settled.map((r) => r.openLinks)).toEqual(uids.map(() => 8));
    // Members not linked are on the server because of the cap, and say so.
    for (const r of settled) expect(r.paths['relay:cap'] ?? 0).toBe(N - 1 - 8);
    // onSysStats tells the same per room.
    for (const r of settled) expect(r.roomStats).toEqual([{ roomId: 'big', members: N - 1, directLinks: 8, viaServer: N - 1 - 8, resends: 0 }]);

    // 95 % of the room limit (100 broadcasts/s in the room): 40 senders, one each every 420 ms.
    await fleet.stream('big', PER_SENDER, 420);
    const samples: number[] = [];
    const reports = await fleet.waitReports((rs) => {
      samples.push(maxLinks(rs));
      return rs.every((r) => r.sent === PER_SENDER && r.pending === 0) && deliveryProblems(rs, uids, () => PER_SENDER).length === 0;
    }, 120_000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(8);
    expect(deliveryProblems(reports, uids, () => PER_SENDER)).toEqual([]);
    for (const r of reports) expect(r.codes).toEqual({ 200: PER_SENDER });
  }, 300_000);
});
