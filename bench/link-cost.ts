// 7. Cost of a peer link, per Node WebRTC stack: memory (RSS), file descriptors and threads per
// link end, and CPU per delivered 1 KiB reliable message (sender + receiver, same process).
// SDK (engines linked by a P2P message) vs raw simple-peer pairs. Each run in a fresh process.
import { startChild } from './lib/children.js';

import { measure } from './lib/measure.js';
import { runScenario } from './lib/scenario.js';
import { Scope } from './lib/scope.js';

import { startSdkServer } from './lib/servers.js';
import { cellOf, naCell } from './lib/stats.js';
import { STACKS, type StackName } from './lib/webrtc.js';

interface LinkCost {
  kibPerLink: number;
  fdsPerLink: number;
  threadsPerLink: number;
  cpuUsPerMsg: number;
}

await runScenario({ name: 'link-cost', title: 'Cost per peer link and CPU per delivered message' }, async (ctx) => {
  const runs = ctx.quick ? 1 : 5;
  const pairs = ctx.quick ? 4 : 10;
  const batches = ctx.quick ? 3 : 5;
  const settleMs = ctx.quick ? 200 : 1000;
  const timing = { warmupMs: ctx.quick ? 150 : 1000, measureMs: ctx.quick ? 400 : 3000 };
  const timeoutMs = ctx.quick ? 45_000 : 120_000;

  const top = new Scope();
  try {
    const { value: sdkServer, problem: sdkProblem } = await startSdkServer(top);
    const once = async (scope: Scope, kind: 'raw' | 'sdk', stack: StackName): Promise<LinkCost> => {
      // One malloc arena: native stacks allocate from many threads, and glibc's per-thread arenas
      // grow and trim in steps of megabytes, which would drown a per-link figure in noise.
      const { child } = await startChild(`link-worker-${kind}-${stack}`, 'link-worker.ts', [], 30_000, { MALLOC_ARENA_MAX: '1' });
      scope.add(() => child.stop());
      const r = await child.request('run', { kind, stack, url: sdkServer?.url, pairs, batches, settleMs, ...timing }, timeoutMs);
      return r as unknown as LinkCost;
    };
    for (const stack of STACKS) {
      const raw = await measure({ label: `raw ${stack}`, runs, timeoutMs }, (s) => once(s, 'raw', stack));
      const sdk = sdkServer ? await measure({ label: `SDK ${stack}`, runs, timeoutMs }, (s) => once(s, 'sdk', stack)) : undefined;
      const row = (what: string, pick: (v: LinkCost) => number, unit: string): void =>
        ctx.row({
          case: `${stack}: ${what}`,
          sdk: sdk ? cellOf(sdk, pick, unit) : naCell(sdkProblem!),
          baseline: cellOf(raw, pick, unit),
          ratio: 'time',
        });
      row('memory per link end', (v) => v.kibPerLink, 'KiB');
      row('file descriptors per link end', (v) => v.fdsPerLink, 'fds');
      row('threads per link end', (v) => v.threadsPerLink, 'threads');
      row('CPU per delivered 1 KiB message', (v) => v.cpuUsPerMsg, 'µs');
    }
  } finally {
    await top.close();
  }
  ctx.note(`Per run, a fresh process opens ${batches} batches of ${pairs} connected pairs; memory (RSS after a full GC, less the V8 heap's free space), descriptors and threads per link end are the least-squares slope of the process's figures after each batch against link ends, so one-time costs land in the first batch. SDK engines are all logged in before the first link, so only links are counted.`);
  ctx.note(`CPU: process CPU time (user + system, all threads) while pumping 1 KiB reliable messages over one pair for ${timing.measureMs} ms, divided by messages delivered; both ends are in the process, so it is sender + receiver.`);
});
