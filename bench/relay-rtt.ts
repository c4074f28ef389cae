// 2. Relay round trip, 1 KiB: SDK engines in relay-only mode (client → signaling server →
// client, both ways) vs a raw socket.io relay doing nothing but forwarding. Each server runs in
// its own process. Target: SDK ≤ 1.3× raw.

import { measurePair } from './lib/measure.js';
import { pingPong } from './lib/ping-pong.js';
import { rawClient } from './lib/raw-client.js';
import { runScenario } from './lib/scenario.js';
import { Scope } from './lib/scope.js';
import { loginEngine, uidFor } from './lib/sdk-engine.js';

import { startServer, startSdkServer } from './lib/servers.js';
import { cellOf, naCell, percentile } from './lib/stats.js';

const PAYLOAD = new Uint8Array(1024).fill(7);

await runScenario({ name: 'relay-rtt', title: 'Relay round trip, 1 KiB (SDK relay-only vs raw socket.io relay)' }, async (ctx) => {
  const runs = ctx.quick ? 2 : 7;
  const count = ctx.quick ? 200 : 2000;
  const warmup = ctx.quick ? 30 : 300;
  const timeoutMs = ctx.quick ? 20_000 : 60_000;
  const target = { text: 'SDK ≤ 1.3× raw', on: 'ratio' as const, op: '<=' as const, value: 1.3 };

  const top = new Scope();
  try {
    const rawServer = await startServer('raw', top);
    const { value: sdkServer, problem: sdkProblem } = await startSdkServer(top);

    const { baseline: raw, sdk } = await measurePair({ label: 'raw socket.io relay', sdkLabel: 'SDK relay-only', runs, timeoutMs }, async (scope) => {
      const [ua, ub] = [uidFor('rr-a'), uidFor('rr-b')];
      const a = await rawClient(rawServer.url, ua, scope);
      const b = await rawClient(rawServer.url, ub, scope);
      b.on('from', (from: string, data: Uint8Array) => b.emit('to', from, data));
      const pp = pingPong();
      a.on('from', () => pp.echoed());
      const s = await pp.run(() => a.emit('to', ub, PAYLOAD), warmup, count);
      return { p50: percentile(s, 50), p99: percentile(s, 99) };
    }, sdkServer
      ? async (scope) => {
          const [ua, ub] = [uidFor('sr-a'), uidFor('sr-b')];
          const a = await loginEngine(scope, { server: sdkServer!.url, uid: ua, relayOnly: true });
          const b = await loginEngine(scope, { server: sdkServer!.url, uid: ub, relayOnly: true });
          b.rts.on('onBinaryMessageReceived', (from: string, bytes: Uint8Array) => b.rts.sendBinaryMessage(from, bytes));
          const pp = pingPong();
          a.rts.on('onBinaryMessageReceived', () => pp.echoed());
          const s = await pp.run(() => void a.rts.sendBinaryMessage(ub, PAYLOAD), warmup, count);
          if ([...a.links.values(), ...b.links.values()].includes('p2p')) throw new Error('relayOnly engine opened a p2p link');
          return { p50: percentile(s, 50), p99: percentile(s, 99) };
        }
      : undefined);

    for (const p of ['p50', 'p99'] as const) {
      ctx.row({
        case: `relay round trip ${p}`,
        sdk: sdk ? cellOf(sdk, (v) => v[p], 'ms') : naCell(sdkProblem!),
        baseline: cellOf(raw, (v) => v[p], 'ms'),
        ratio: 'time',
        target,
      });
    }
  } finally {
    await top.close();
  }
  ctx.note(`${count} sequential round trips per run after ${warmup} warm-up ones; ${runs} runs. Both servers in their own process on 127.0.0.1; clients use the websocket transport.`);
  ctx.note('Raw: socket.io server that forwards `to(uid, data)` as `from(uid, data)`, no auth, no validation, no acks. SDK: engines with relayOnly, sendBinaryMessage (reliable, with end-to-end send results).');
});
