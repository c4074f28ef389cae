// One link-cost measurement in a fresh process (so memory figures are this run's alone):
//   run {kind: 'raw'|'sdk', stack, url, pairs, batches, settleMs, warmupMs, measureMs}
// Opens `batches` × `pairs` connected pairs in this process (raw simple-peer, or SDK engines
// linked by a first P2P message), and reports per link end: RSS, file descriptors and threads; then
// pumps 1 KiB reliable messages over the first pair and reports CPU per delivered message.
import { readdirSync } from 'node:fs';
import { memoryAfterGc, serveIpc } from './child-main.js';
import { measureRate, windowPump } from './flow.js';
import { openRawPair, rawPump, type RawPair } from './raw-peer.js';
import { Scope, sleep } from './scope.js';
import { loginEngine, waitP2P, type Engine } from './sdk-engine.js';
import type { StackName } from './webrtc.js';

const PAYLOAD = new Uint8Array(1024).fill(7);
const WINDOW = 4096;
let scope = new Scope();

/** Least-squares slope of y over x. */
function slope(xy: Array<[number, number]>): number {
  const n = xy.length;
  const mx = xy.reduce((a, [x]) => a + x, 0) / n;
  const my = xy.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = xy.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const sxy = xy.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  return sxx === 0 ? Number.NaN : sxy / sxx;
}

const fds = (): number => readdirSync('/proc/self/fd').length;
const threads = (): number => readdirSync('/proc/self/task').length;

serveIpc(
  {
    ready: () => ({}),
    run: async (m) => {
      const kind = m.kind as 'raw' | 'sdk';
      const stack = m.stack as StackName;
      const pairs = m.pairs as number;
      const rate = { warmupMs: m.warmupMs as number, measureMs: m.measureMs as number, payloadBytes: PAYLOAD.byteLength };

      // Batches of `pairs` links; each figure is the least-squares slope of the process's growth
      // against link ends over the batches, so one-time costs (the stack's thread pools, allocator
      // arenas) land in the first batch and allocation granularity averages out.
      const batches = m.batches as number;
      let engines: Array<[Engine, Engine]> = [];
      if (kind === 'sdk') {
        // Logged-in engines are not links: log them all in before any snapshot.
        for (let i = 0; i < pairs * batches; i++) {
          const a = await loginEngine(scope, { server: m.url as string, uid: `lc-a${i}-${process.pid}`, stack });
          const b = await loginEngine(scope, { server: m.url as string, uid: `lc-b${i}-${process.pid}`, stack });
          engines.push([a, b]);
        }
      }
      const raws: RawPair[] = [];
      const points: Array<{ ends: number; rss: number; fds: number; threads: number }> = [];
      for (let batch = 0; batch < batches; batch++) {
        for (let i = batch * pairs; i < (batch + 1) * pairs; i++) {
          if (kind === 'raw') {
            raws.push(await openRawPair(stack, scope));
          } else {
            const [a, b] = engines[i];
            a.rts.sendBinaryMessage(b.uid, PAYLOAD);
            await waitP2P(a, [b.uid], 15_000);
            await waitP2P(b, [a.uid], 15_000);
          }
        }
        // Let buffers and native threads settle before the snapshot.
        await sleep(m.settleMs as number);
        points.push({ ends: (batch + 1) * pairs * 2, rss: memoryAfterGc().rssInUse, fds: fds(), threads: threads() });
      }
      if (process.env.BENCH_DEBUG) console.error(JSON.stringify(points.map((p) => [p.ends, Math.round(p.rss / 1024)])));
      const perEnd = {
        kibPerLink: slope(points.map((p) => [p.ends, p.rss / 1024])),
        fdsPerLink: slope(points.map((p) => [p.ends, p.fds])),
        threadsPerLink: slope(points.map((p) => [p.ends, p.threads])),
      };

      let r;
      if (kind === 'raw') {
        const { a, b } = raws[0];
        let got = 0;
        b.on('data', () => got++);
        r = await measureRate({ ...rawPump(a, PAYLOAD), received: () => got, ...rate }, scope);
      } else {
        const [a, b] = engines[0];
        let got = 0;
        b.rts.on('onBinaryMessageReceived', () => got++);
        const pump = windowPump(() => void a.rts.sendBinaryMessage(b.uid, PAYLOAD), WINDOW);
        a.rts.on('onMessageSendResult', () => pump.confirm());
        r = await measureRate({ ...pump, received: () => got, ...rate }, scope);
      }
      engines = [];
      await scope.close();
      scope = new Scope();
      return { ...perEnd, cpuUsPerMsg: r.cpuUsPerMsg, msgsPerSec: r.msgsPerSec };
    },
  },
  () => scope.close(),
);
