// 1. P2P round trip, 1 KiB reliable: SDK (sendBinaryMessage both ways over its peer link) vs a
// raw simple-peer data channel on the same Node WebRTC stack. p50 and p99 per run; the table
// shows the median of the runs with min–max. Target: SDK ≤ 1.2× raw.

import { measurePair } from './lib/measure.js';
import { pingPong } from './lib/ping-pong.js';
import { openRawPair } from './lib/raw-peer.js';
import { runScenario } from './lib/scenario.js';
import { Scope } from './lib/scope.js';
import { loginEngine, uidFor, waitP2P } from './lib/sdk-engine.js';

import { startSdkServer } from './lib/servers.js';
import { cellOf, naCell, percentile } from './lib/stats.js';
import { STACKS, type StackName } from './lib/webrtc.js';

const PAYLOAD = new Uint8Array(1024).fill(7);

await runScenario({ name: 'p2p-rtt', title: 'P2P round trip, 1 KiB reliable (SDK vs raw data channel, same stack)' }, async (ctx) => {
  const runs = ctx.quick ? 2 : 7;
  const count = ctx.quick ? 200 : 2000;
  const warmup = ctx.quick ? 30 : 300;
  const timeoutMs = ctx.quick ? 20_000 : 60_000;
  const target = { text: 'SDK ≤ 1.2× raw', on: 'ratio' as const, op: '<=' as const, value: 1.2 };

  const top = new Scope();
  const { value: server, problem: sdkProblem } = await startSdkServer(top);

  try {
    for (const stack of STACKS) {
      const { baseline: raw, sdk } = await measurePair({ label: `raw ${stack}`, sdkLabel: `SDK ${stack}`, runs, timeoutMs }, async (scope) => {
        const { a, b } = await openRawPair(stack, scope);
        b.on('data', (d: Uint8Array) => b.send(d));
        const pp = pingPong();
        a.on('data', () => pp.echoed());
        const s = await pp.run(() => a.send(PAYLOAD), warmup, count);
        return { p50: percentile(s, 50), p99: percentile(s, 99) };
      }, sdkProblem
        ? undefined
        : async (scope) => {
            const [ua, ub] = [uidFor('rtt-a'), uidFor('rtt-b')];
            const a = await loginEngine(scope, { server: server!.url, uid: ua, stack });
            const b = await loginEngine(scope, { server: server!.url, uid: ub, stack });
            b.rts.on('onBinaryMessageReceived', (from: string, bytes: Uint8Array) => b.rts.sendBinaryMessage(from, bytes));
            const pp = pingPong();
            a.rts.on('onBinaryMessageReceived', () => pp.echoed());
            // P2P links open lazily (SPEC §10): the first messages go by relay while the link comes up.
            const send = (): void => void a.rts.sendBinaryMessage(ub, PAYLOAD);
            await pp.run(send, 1, 0);
            await waitP2P(a, [ub], 10_000);
            await waitP2P(b, [ua], 10_000);
            const s = await pp.run(send, warmup, count);
            return { p50: percentile(s, 50), p99: percentile(s, 99) };
          });

      for (const p of ['p50', 'p99'] as const) {
        ctx.row({
          case: `${stack}: round trip ${p}`,
          sdk: sdk ? cellOf(sdk, (v) => v[p], 'ms') : naCell(sdkProblem!),
          baseline: cellOf(raw, (v) => v[p], 'ms'),
          ratio: 'time',
          target,
        });
      }
    }
  } finally {
    await top.close();
  }
  ctx.note(`${count} sequential round trips per run after ${warmup} warm-up ones; ${runs} runs, each on a new pair of peers (raw) or engines (SDK).`);
  ctx.note('Raw: simple-peer pair, one reliable ordered channel, signals handed over in-process. SDK: two engines logged in to a signaling server in its own process, link opened by the first message, measured once both sides report p2p.');
});
