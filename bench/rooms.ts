// 9. Rooms at scale: N members (8, 32, 100, 200) over 4 processes broadcast at 95 % of the
// default room limit (100 broadcasts/s in the room) on an rtsmesh server at its default limits,
// beside a raw socket.io room (bench's raw relay) with the same members sending the same
// messages on the same schedule, in the same run. SDK members: real engines, node-datachannel on
// loopback, maxPeerLinks 8 (default): direct to their linked members, once through the server to
// the rest. Figures per size: broadcast latency p50 / p99 (send → each receiver), server message
// frames per broadcast (1 = no resends), share of results 200 within 2 s, the CPU time of the
// member processes while streaming (every thread: the WebRTC stack's too) and while only keeping
// their links alive, and for 100 members the time from the last join until every member has its
// links.
import { RoomsFleet, type MemberReport } from './lib/rooms-fleet.js';
import { APP_ID, APP_KEY } from './lib/bench-app.js';
import { log } from './lib/log.js';
import { runScenario } from './lib/scenario.js';
import { Scope } from './lib/scope.js';
import { startServer } from './lib/servers.js';
import { percentile } from './lib/stats.js';
import type { Cell } from './lib/types.js';

const WORKERS = 4;
const ROOM_RATE = 95; // broadcasts/s in the room: under the default limit of 100
/** maxPeerLinks of the SDK members (RTSMESH_BENCH_ROOM_LINKS; default 8, the SDK's default). */
const LINKS = Number(process.env.RTSMESH_BENCH_ROOM_LINKS ?? 8);

const one = (v: number, unit: string): Cell => (Number.isFinite(v) ? { kind: 'stat', median: v, min: v, max: v, unit, ok: 1, runs: 1 } : { kind: 'na', reason: 'no value' });
const none = (reason: string): Cell => ({ kind: 'na', reason });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

await runScenario({
  name: 'rooms',
  title: 'Rooms at scale: broadcasts at the default room limit (SDK with maxPeerLinks 8 vs raw socket.io room)',
  columns: { sdk: 'SDK', baseline: 'raw socket.io room' },
}, async (ctx) => {
  // RTSMESH_BENCH_ROOM_SIZES=100,200 measures only those sizes.
  const sizes = process.env.RTSMESH_BENCH_ROOM_SIZES?.split(',').map(Number) ?? (ctx.quick ? [8, 32] : [8, 32, 100, 200]);
  const seconds = ctx.quick ? 5 : 10;
  const top = new Scope();
  try {
    const rawServer = await startServer('raw', top);
    const sdkServer = await startServer('sdk-default-limits', top);
    const fleet = await RoomsFleet.start(WORKERS);
    top.add(() => fleet.stop());
    const serverStats = async (): Promise<Record<string, number>> => (await sdkServer.child.request('stats')) as unknown as Record<string, number>;

    for (const n of sizes) {
      const interval = Math.ceil((n / ROOM_RATE) * 1000);
      const count = Math.max(1, Math.floor((seconds * 1000) / interval));
      const uids = Array.from({ length: n }, (_, i) => `r${n}-${i}`);
      const room = `room-${n}`;
      log(`rooms ${n}: ${count} broadcasts per member, one every ${interval} ms`);
      await fleet.setup({ url: sdkServer.url, appId: APP_ID, appKey: APP_KEY }, uids, { maxPeerLinks: LINKS });
      await fleet.join(room);
      const joinedAt = Date.now();
      const degree = n - 1 <= LINKS ? n - 1 : 2 * Math.floor(LINKS / 2);
      const settled = await fleet.waitCounts((rs) => rs.every((r) => r.openLinks === degree), 60_000);
      const settleMs = settled.every((r) => r.openLinks === degree) ? Date.now() - joinedAt : Number.NaN;
      // What keeping the links alive costs the member processes, before anything is sent.
      const idleCpu0 = await fleet.cpuMs();
      await sleep(1000);
      const idleCores = ((await fleet.cpuMs()) - idleCpu0) / 1000;
      const before = await serverStats();
      const streamMs = count * interval;
      const cpu0 = await fleet.cpuMs();
      await fleet.stream(room, count, interval);
      await sleep(streamMs);
      const sdkCores = ((await fleet.cpuMs()) - cpu0) / streamMs;
      const sdk = await fleet.waitCounts((rs) => rs.every((r) => r.sent === count && r.pending === 0), seconds * 1000 + 60_000);
      const full: MemberReport[] = await fleet.report(true);
      const after = await serverStats();
      const lat = full.flatMap((r) => r.latencies);
      const sent = full.reduce((a, r) => a + r.sent, 0);
      const fast = full.reduce((a, r) => a + r.fast, 0);
      const frames = (after.relayedMessages - before.relayedMessages) / sent;
      const resent = after.relayResentFrames - before.relayResentFrames;
      const acks = after.relayAckFrames - before.relayAckFrames;
      const refused = after.relayExceedQps - before.relayExceedQps;
      log(`rooms ${n}: sdk done (${sdk.every((r) => r.pending === 0) ? 'all results' : 'results missing'}), ${resent} resent, ${acks} acks through the server, ${refused} refused for a budget`);
      await fleet.teardown(false);

      await fleet.rawSetup(rawServer.url);
      // The raw members are dealt over the processes the same way.
      await fleet.rawJoin(room);
      await sleep(300);
      const rawCpu0 = await fleet.cpuMs();
      await fleet.rawStream(room, count, interval);
      await sleep(streamMs);
      const rawCores = ((await fleet.cpuMs()) - rawCpu0) / streamMs;
      await sleep(Math.max(0, seconds * 1000 + 3000 - streamMs));
      const rawReports = await fleet.rawReport();
      const rawLat = rawReports.flatMap((r) => r.latencies);
      await fleet.teardown();

      for (const p of [50, 99] as const) {
        ctx.row({
          case: `${n} members: broadcast latency p${p}`,
          sdk: one(percentile(lat, p), 'ms'),
          baseline: one(percentile(rawLat, p), 'ms'),
          ratio: 'time',
          target: { text: 'SDK ≤ 1.5× raw', on: 'ratio', op: '<=', value: 1.5 },
        });
      }
      // Where the time goes: each leg of the hybrid broadcast on its own (no raw equivalent).
      const legs = (pick: (r: MemberReport) => number[]): string => {
        const xs = full.flatMap(pick);
        return xs.length ? `${percentile(xs, 50).toFixed(2)} / ${percentile(xs, 99).toFixed(2)} ms (${xs.length})` : 'none';
      };
      ctx.note(`${n} members: latency p50 / p99 over direct links ${legs((r) => r.direct)}, through the server ${legs((r) => r.viaServer)}.`);
      // The machine's two cores are shared by the members' processes and both servers: once the
      // members need most of them, every path through a process waits its turn.
      ctx.row({
        case: `${n} members: CPU of the ${WORKERS} member processes while streaming`,
        sdk: one(sdkCores, 'cores'),
        baseline: one(rawCores, 'cores'),
        ratio: 'time',
      });
      ctx.row({
        case: `${n} members: … of which keeping the links alive (measured before the stream)`,
        sdk: one(idleCores, 'cores'),
        baseline: none('raw room has no links'),
      });
      ctx.row({
        case: `${n} members: server message frames per broadcast`,
        sdk: one(frames, 'frames'),
        baseline: one(1, 'frames'),
        target: { text: 'SDK ≤ 1.05', on: 'sdk', op: '<=', value: 1.05 },
      });
      ctx.row({
        case: `${n} members: results 200 within 2 s`,
        sdk: one((100 * fast) / sent, '%'),
        baseline: none('raw room has no send results'),
        target: { text: 'SDK ≥ 99.9 %', on: 'sdk', op: '>=', value: 99.9 },
      });
      if (n === 100 || ctx.quick) {
        ctx.row({
          case: `${n} members: links settled after the last join`,
          sdk: one(settleMs, 'ms'),
          baseline: none('raw room has no links'),
          ...(n === 100 ? { target: { text: 'SDK ≤ 5 s', on: 'sdk' as const, op: '<=' as const, value: 5000 } } : {}),
        });
      }
      ctx.note(`${n} members: ${sent} broadcasts (${count} per member), ${lat.length} SDK deliveries (expected ${sent * (n - 1)}), raw ${rawLat.length}; through the server: ${resent} resent frames, ${acks} ack frames, ${refused} requests refused for a budget (ExceedQPS).`);
    }
  } finally {
    await top.close();
  }
  ctx.note(`Members over ${WORKERS} processes; the SDK server at SPEC §5 default limits in its own process; the raw relay (socket.io, no auth, no acks) in its own. Latency = receiver's clock − sender's clock at send (same machine). Engines: rtsmesh client source under tsx (bench/lib/rooms-worker.ts).`);
});
