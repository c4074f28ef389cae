// Issue 11: rooms past maxPeerLinks under churn and with a member that never acknowledges.
// Real engines over 3 processes, a real server at its default limits, maxPeerLinks 4 so that
// every broadcast takes both paths (direct to 4 members, once through the server to the rest).
import { describe, expect, it } from 'vitest';
import { deliveryProblems, RoomsFleet, type MemberReport } from '../bench/lib/rooms-fleet.js';
import { useRoomsFleet } from './helpers/rooms.js';
import type { TestServer } from './helpers/server.js';

let server: TestServer;
let fleet: RoomsFleet;

useRoomsFleet(3, (s, f) => {
  server = s;
  fleet = f;
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const byUid = (reports: MemberReport[]): Map<string, MemberReport> => new Map(reports.map((r) => [r.uid, r]));

describe('churn', () => {
  it('10 members leave and rejoin while 20 others stream: nothing lost or duplicated, every result 200', async () => {
    const streamers = Array.from({ length: 20 }, (_, i) => `st${String(i).padStart(2, '0')}`);
    const churners = Array.from({ length: 10 }, (_, i) => `ch${String(i).padStart(2, '0')}`);
    const PER_SENDER = 24;
    await fleet.setup(server, [...streamers, ...churners], { maxPeerLinks: 4 });
    await fleet.join('churn');
    await fleet.waitReports((rs) => rs.every((r) => r.openLinks === 4), 60_000);
    await fleet.stream('churn', PER_SENDER, 250, streamers); // 80 broadcasts/s in the room, for 6 s
    await sleep(1500);
    await fleet.leave('churn', churners);
    await sleep(1500);
    await fleet.join('churn', churners);
    const reports = await fleet.waitReports((rs) =>
      rs.every((r) => r.pending === 0 && r.sent === (streamers.includes(r.uid) ? PER_SENDER : 0))
      && deliveryProblems(rs.filter((r) => streamers.includes(r.uid)), streamers, () => PER_SENDER).length === 0, 120_000);
    // The members who stayed got everything, once, in order.
    expect(deliveryProblems(reports.filter((r) => streamers.includes(r.uid)), streamers, () => PER_SENDER)).toEqual([]);
    for (const uid of streamers) expect(byUid(reports).get(uid)!.codes).toEqual({ 200: PER_SENDER });
    // The members who left and came back: what they got, they got once and in order, and they
    // got the stream's end (sent long after they were back).
    for (const uid of churners) {
      const r = byUid(reports).get(uid)!;
      for (const s of streamers) {
        const got = r.received[s];
        expect(got, `${uid} from ${s}`).toBeDefined();
        expect([got.dups, got.outOfOrder], `${uid} from ${s}`).toEqual([0, 0]);
        expect(got.n, `${uid} from ${s}`).toBeLessThanOrEqual(PER_SENDER);
      }
    }
  }, 240_000);
});

describe('a member that never acknowledges', () => {
  it('does not hold back the others: every result 200, everything delivered once and in order', async () => {
    const uids = Array.from({ length: 9 }, (_, i) => `mu${i}`);
    const mute = 'mu4';
    const PER_SENDER = 10;
    // 9 members at maxPeerLinks 8: a full mesh, so the mute member is linked to every sender.
    await fleet.setup(server, uids, { maxPeerLinks: 8 }, [mute]);
    await fleet.join('mute', uids);
    await fleet.waitReports((rs) => rs.filter((r) => uids.includes(r.uid)).every((r) => r.openLinks === 8), 60_000);
    const senders = uids.filter((u) => u !== mute);
    await fleet.stream('mute', PER_SENDER, 200, senders);
    const done = (rs: MemberReport[]): boolean => {
      const mine = rs.filter((r) => uids.includes(r.uid));
      return mine.every((r) => r.pending === 0 && r.sent === (r.uid === mute ? 0 : PER_SENDER))
        && deliveryProblems(mine, senders, () => PER_SENDER).length === 0;
    };
    const reports = (await fleet.waitReports(done, 120_000)).filter((r) => uids.includes(r.uid));
    expect(deliveryProblems(reports, senders, () => PER_SENDER)).toEqual([]);
    for (const uid of senders) expect(byUid(reports).get(uid)!.codes).toEqual({ 200: PER_SENDER });
  }, 240_000);
});
