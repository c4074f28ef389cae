// Issue 11: a relay-only room of 200 members at the default room limit (100 broadcasts/s in the
// room) for 30 s, the members over 4 processes: every broadcast reaches the 199 others once and
// in order, every result is 200, and the server takes in one message frame per broadcast — not
// one resent frame — and no ack per member per broadcast (the server's hand-off confirms it).
import { describe, expect, it } from 'vitest';
import { deliveryProblems, RoomsFleet } from '../bench/lib/rooms-fleet.js';
import { useRoomsFleet } from './helpers/rooms.js';
import type { TestServer } from './helpers/server.js';

const N = 200;
const INTERVAL_MS = Math.ceil((N / 95) * 1000); // 95 broadcasts/s in the room, under its limit of 100
const PER_SENDER = Math.floor(30_000 / INTERVAL_MS);
let server: TestServer;
let fleet: RoomsFleet;

useRoomsFleet(4, (s, f) => {
  server = s;
  fleet = f;
});

describe('a relay-only room of 200 at the room limit for 30 s', () => {
  it('delivers everything once and in order, with 200, and the server takes in no resent frame', async () => {
    const uids = Array.from({ length: N }, (_, i) => `big${String(i).padStart(3, '0')}`);
    await fleet.setup(server, uids, { relayOnly: true });
    await fleet.join('crowd');
    const before = server.server.stats();
    await fleet.stream('crowd', PER_SENDER, INTERVAL_MS);
    const reports = await fleet.waitReports((rs) =>
      rs.every((r) => r.sent === PER_SENDER && r.pending === 0) && deliveryProblems(rs, uids, () => PER_SENDER).length === 0, 180_000);
    expect(deliveryProblems(reports, uids, () => PER_SENDER).slice(0, 10)).toEqual([]);
    for (const r of reports) expect(r.codes).toEqual({ 200: PER_SENDER });
    const after = server.server.stats();
    expect(after.relayResentFrames - before.relayResentFrames).toBe(0);
    expect(after.relayedMessages - before.relayedMessages).toBe(N * PER_SENDER);
    // Not an ack per member per broadcast through the server: the hand-off confirms them. (A gap a
    // broadcast waiting for the room's budget leaves is reported once per member: a few acks.)
    expect(after.relayAckFrames - before.relayAckFrames).toBeLessThanOrEqual(N * PER_SENDER);
  }, 400_000);
});
