// 5. Mesh formation: N clients (already connected and logged in) join one room at the same
// moment; the figure is the time until every pair has a P2P link, as each side sees it.
// SDK (onPeerLinkStateChanged 'p2p' for all N-1 others, on every engine) vs raw simple-peer
// links signaled through a raw socket.io server. Target: ≤ 0.5 s at 16.
//
// The clients are spread over worker processes (mesh-worker.ts): @roamhq/wrtc needs ~60 file
// descriptors per peer connection, and 16 clients in one process (240 connections) exceed a
// 20k descriptor limit. Separate processes are also what real clients are.
import { startChild, type BenchChild } from './lib/children.js';

import { measure } from './lib/measure.js';
import { runScenario } from './lib/scenario.js';
import { Scope } from './lib/scope.js';
import { uidFor } from './lib/sdk-engine.js';

import { startServer, startSdkServer } from './lib/servers.js';
import { cellOf, naCell } from './lib/stats.js';
import { STACKS, type StackName } from './lib/webrtc.js';

const WORKERS = 4;

await runScenario({ name: 'mesh-formation', title: 'Mesh formation: N clients join one room until every pair has a P2P link' }, async (ctx) => {
  const sizes = ctx.quick ? [4, 16] : [2, 4, 8, 16];
  const runs = ctx.quick ? 1 : 5;
  const timeoutMs = ctx.quick ? 10_000 : 45_000;

  const top = new Scope();
  try {
    const rawServer = await startServer('raw', top);
    const { value: sdkServer, problem: sdkProblem } = await startSdkServer(top);
    const workers: BenchChild[] = await Promise.all(
      Array.from({ length: WORKERS }, async (_, i) => {
        const { child } = await startChild(`mesh-worker-${i}`, 'mesh-worker.ts');
        top.add(() => child.stop());
        return child;
      }),
    );

    /** One formation: set up N clients over the workers, all join one room at once, time until all linked. */
    const form = async (scope: Scope, kind: 'raw' | 'sdk', stack: StackName, n: number, url: string): Promise<number> => {
      const room = uidFor('mesh');
      const uids = Array.from({ length: n }, () => uidFor(kind === 'raw' ? 'mr' : 'ms'));
      const share = workers.map((_, w) => uids.filter((_, i) => i % workers.length === w));
      const used = workers.map((w, i) => ({ w, uids: share[i] })).filter((x) => x.uids.length > 0);
      scope.add(() => Promise.all(used.map(({ w }) => w.request('teardown', {}, 10_000).catch(() => undefined))));
      await Promise.all(used.map(({ w, uids: mine }) => w.request('setup', { kind, stack, url, uids: mine, allUids: uids }, timeoutMs)));
      const at = performance.timeOrigin + performance.now() + 50;
      const replies = await Promise.all(used.map(({ w }) => w.request('join', { room, at, timeoutMs }, timeoutMs + 5000)));
      return Math.max(...replies.map((r) => r.doneAt as number)) - at;
    };

    for (const stack of STACKS) {
      for (const n of sizes) {
        // One formation at this size first, unmeasured: loads the stack and warms the server
        // (--quick: only before the first size).
        const warm = { label: `warm-up ${stack} ${n}`, runs: ctx.quick && n !== sizes[0] ? 0 : 1, timeoutMs: timeoutMs + 10_000, maxFailures: 1 };
        const bound = { runs, timeoutMs: timeoutMs + 10_000 };
        await measure(warm, (s) => form(s, 'raw', stack, n, rawServer.url));
        const raw = await measure({ label: `raw ${stack} ${n}`, ...bound }, (s) => form(s, 'raw', stack, n, rawServer.url));
        let sdk;
        if (sdkServer) {
          await measure(warm, (s) => form(s, 'sdk', stack, n, sdkServer!.url));
          sdk = await measure({ label: `SDK ${stack} ${n}`, ...bound }, (s) => form(s, 'sdk', stack, n, sdkServer!.url));
        }
        ctx.row({
          case: `${stack}, ${n} clients`,
          sdk: sdk ? cellOf(sdk, (v) => v, 'ms') : naCell(sdkProblem!),
          baseline: cellOf(raw, (v) => v, 'ms'),
          ratio: 'time',
          target: n === 16 ? { text: 'SDK ≤ 500 ms', on: 'sdk', op: '<=', value: 500 } : undefined,
        });
      }
    }
  } finally {
    await top.close();
  }
  ctx.note(`Clients spread round-robin over ${WORKERS} worker processes. The clock starts when all N clients (connected, logged in) start joining together and stops when the last client has a connected link to all N-1 others. One unmeasured formation per size (--quick: per stack), then ${runs} run${runs === 1 ? '' : 's'} with new clients; median with min–max.`);
  ctx.note('Raw: socket.io server forwards signals; the newcomer initiates to the members its join ack lists (trickle ICE, no STUN). SDK: room join → eager links, done when every engine reported onPeerLinkStateChanged(uid, "p2p") for all others.');
});
