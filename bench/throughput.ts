// 4. Sustained throughput between two Node peers, reliable 1 KiB and 64 KiB messages, msgs/s and
// MB/s, per Node WebRTC stack: SDK (sendBinaryMessage, at most a 4 MiB window of messages without
// a send result) vs the raw channel (simple-peer, kept under 1 MiB bufferedAmount). Plus the
// relay path: SDK relay-only vs a raw socket.io relay (credit-based window, same 4 MiB).
// Targets: SDK ≥ 100k msgs/s at 1 KiB, ≥ 70 MB/s at 64 KiB.
import { measureRate, windowPump, type RateResult } from './lib/flow.js';

import { measure } from './lib/measure.js';
import { rawClient } from './lib/raw-client.js';
import { openRawPair, rawPump } from './lib/raw-peer.js';
import { runScenario } from './lib/scenario.js';
import { Scope, type Scope as ScopeT } from './lib/scope.js';
import { loginEngine, uidFor, waitP2P } from './lib/sdk-engine.js';

import { startServer, startSdkServer } from './lib/servers.js';
import { cellOf, naCell } from './lib/stats.js';
import type { Target } from './lib/types.js';
import { STACKS, type StackName } from './lib/webrtc.js';

const SIZES = [1024, 65536] as const;
const WINDOW_BYTES = 4 * 1024 * 1024;
const CREDIT_EVERY = 64;

const targets: Record<number, { msgs?: Target; mb?: Target }> = {
  1024: { msgs: { text: 'SDK ≥ 100,000 msgs/s', on: 'sdk', op: '>=', value: 100_000 } },
  65536: { mb: { text: 'SDK ≥ 70 MB/s', on: 'sdk', op: '>=', value: 70 } },
};

await runScenario({ name: 'throughput', title: 'Sustained throughput between two Node peers, reliable messages' }, async (ctx) => {
  const runs = ctx.quick ? 1 : 5;
  const warmupMs = ctx.quick ? 150 : 1000;
  const measureMs = ctx.quick ? 400 : 3000;
  const timeoutMs = ctx.quick ? 20_000 : 60_000;
  const rate = { warmupMs, measureMs };

  const top = new Scope();
  try {
    const rawServer = await startServer('raw', top);
    const { value: sdkServer, problem: sdkProblem } = await startSdkServer(top);

    const report = (label: string, size: number, sdk: Awaited<ReturnType<typeof measure<RateResult>>> | undefined, raw: Awaited<ReturnType<typeof measure<RateResult>>>): void => {
      const kib = `${size / 1024} KiB`;
      ctx.row({
        case: `${label} ${kib}: msgs/s`,
        sdk: sdk ? cellOf(sdk, (v) => v.msgsPerSec, 'msgs/s') : naCell(sdkProblem!),
        baseline: cellOf(raw, (v) => v.msgsPerSec, 'msgs/s'),
        ratio: 'rate',
        target: label.includes('relay') ? undefined : targets[size].msgs,
      });
      ctx.row({
        case: `${label} ${kib}: MB/s`,
        sdk: sdk ? cellOf(sdk, (v) => v.mbPerSec, 'MB/s') : naCell(sdkProblem!),
        baseline: cellOf(raw, (v) => v.mbPerSec, 'MB/s'),
        ratio: 'rate',
        target: label.includes('relay') ? undefined : targets[size].mb,
      });
    };

    for (const stack of STACKS) {
      for (const size of SIZES) {
        const payload = new Uint8Array(size).fill(7);
        const raw = await measure({ label: `raw ${stack} ${size} B`, runs, timeoutMs }, async (scope) => {
          const { a, b } = await openRawPair(stack, scope);
          let got = 0;
          b.on('data', () => got++);
          const pump = rawPump(a, payload);
          return measureRate({ ...pump, received: () => got, payloadBytes: size, ...rate }, scope);
        });
        const sdk = sdkServer
          ? await measure({ label: `SDK ${stack} ${size} B`, runs, timeoutMs }, (scope) => sdkRate(scope, sdkServer!.url, { stack }, payload, rate))
          : undefined;
        report(stack, size, sdk, raw);
      }
    }

    for (const size of SIZES) {
      const payload = new Uint8Array(size).fill(7);
      const raw = await measure({ label: `raw socket.io relay ${size} B`, runs, timeoutMs }, async (scope) => {
        const [ua, ub] = [uidFor('tr-a'), uidFor('tr-b')];
        const a = await rawClient(rawServer.url, ua, scope);
        const b = await rawClient(rawServer.url, ub, scope);
        let got = 0;
        // Credits back to the sender keep the relay's buffers bounded (socket.io has no backpressure).
        b.on('from', () => {
          got++;
          if (got % CREDIT_EVERY === 0) b.emit('to', ua, CREDIT_EVERY);
        });
        const pump = windowPump(() => a.emit('to', ub, payload), Math.max(CREDIT_EVERY * 2, WINDOW_BYTES / size));
        a.on('from', (_f: string, k: number) => pump.confirm(k));
        return measureRate({ ...pump, received: () => got, payloadBytes: size, ...rate }, scope);
      });
      const sdk = sdkServer
        ? await measure({ label: `SDK relay-only ${size} B`, runs, timeoutMs }, (scope) => sdkRate(scope, sdkServer!.url, { relayOnly: true }, payload, rate))
        : undefined;
      report('relay (socket.io)', size, sdk, raw);
    }
  } finally {
    await top.close();
  }
  ctx.note(`Rate = messages the receiver got in a ${measureMs} ms window that starts after ${warmupMs} ms of sending; ${runs} run${runs === 1 ? '' : 's'}, each on a new pair. MB = 10^6 bytes of payload.`);
  ctx.note(`Raw data channel: simple-peer send() while bufferedAmount < 1 MiB (polled), one reliable ordered channel. SDK: sendBinaryMessage (ReliableOrdered) with at most ${WINDOW_BYTES / 1024 / 1024} MiB of messages awaiting onMessageSendResult. Raw relay: socket.io emit through a forwarding server with a credit window of the same size.`);
  ctx.note('The benchmark server lifts the SPEC §5 rate limits (100 P2P sends/s per client by default), which would otherwise cap every SDK figure.');
});

async function sdkRate(scope: ScopeT, url: string, o: { stack?: StackName; relayOnly?: boolean }, payload: Uint8Array, rate: { warmupMs: number; measureMs: number }): Promise<RateResult> {
  const [ua, ub] = [uidFor('ts-a'), uidFor('ts-b')];
  const a = await loginEngine(scope, { server: url, uid: ua, ...o });
  const b = await loginEngine(scope, { server: url, uid: ub, ...o });
  let got = 0;
  b.rts.on('onBinaryMessageReceived', () => got++);
  let failed: string | undefined;
  const pump = windowPump(() => {
    const id = a.rts.sendBinaryMessage(ub, payload);
    if (id < 0 && !failed) failed = `sendBinaryMessage returned ${id}`;
  }, Math.max(16, WINDOW_BYTES / payload.byteLength));
  a.rts.on('onMessageSendResult', (_id: number, code: number) => {
    if (code !== 0 && !failed) failed = `onMessageSendResult code ${code}`;
    pump.confirm();
  });
  if (!o.relayOnly) {
    // Open the link (lazily, by a first message) before the clock starts.
    a.rts.sendBinaryMessage(ub, payload);
    await waitP2P(a, [ub], 10_000);
    await waitP2P(b, [ua], 10_000);
  }
  const r = await measureRate({ ...pump, received: () => got, payloadBytes: payload.byteLength, ...rate }, scope);
  if (failed) throw new Error(failed);
  return r;
}
