// Issue 10, Redis faults under traffic: a relayed reliable stream between engines on two signaling
// processes while redis-server is frozen (SIGSTOP) for 5 s and later restarted empty. Nothing is
// lost or duplicated and order holds; while Redis cannot answer, relays get clear codes
// (NetworkDisconnected, which the SDK resends) within the configured timeouts instead of hanging
// or a false Success; and everything recovers by itself.
import { describe, expect, it } from 'vitest';
import { encodeFrames } from '../shared/frame.js';
import { expectStreamDelivered, pumpMessages } from './helpers/mesh.js';
import { Clients } from './helpers/rts-clients.js';
import { useRedisClusters, type Cluster } from './helpers/scaleout.js';
import { request, sleep, waitFor } from './helpers/server.js';

let cluster: Cluster;
/** One client factory per process: engine i connects to process i. */
const clients = [0, 1].map((i) => new Clients(() => cluster.nodes[i]));
const clusters = useRedisClusters(() => {
  for (const c of clients) c.destroyAll();
});

describe('Redis frozen and restarted under a relayed stream', () => {
  it('delivers every message once, in order, all Success; raw relays get NetworkDisconnected meanwhile', async () => {
    cluster = await clusters.start(2, { dropGraceMs: 15_000, scaleOut: { commandTimeoutMs: 1000, publishTimeoutMs: 1000 } });
    const sender = await clients[0].login('s1', { resendAfterMs: 500, messageTimeoutMs: 60_000 });
    const receiver = await clients[1].login('r1');
    // A raw pair beside the SDK stream, to read the codes the server answers.
    const rawA = await cluster.nodes[0].login('rawA');
    await cluster.nodes[1].login('rawB');
    const frame = (s: number) => encodeFrames([{ t: 0, st: 'u/', s, d: `raw${s}` }]);
    expect(await request(rawA.socket, 'relay:frame', { to: 'rawB', frame: frame(1) })).toEqual({ code: 0 });

    const pump = pumpMessages(sender.rts, 'r1', 25);
    await sleep(400);

    process.kill(clusters.redis().pid, 'SIGSTOP');
    const frozenCodes: number[] = [];
    const until = Date.now() + 5000;
    for (let s = 2; Date.now() < until; s++) {
      frozenCodes.push((await request(rawA.socket, 'relay:frame', { to: 'rawB', frame: frame(s) })).code);
    }
    process.kill(clusters.redis().pid, 'SIGCONT');
    expect(frozenCodes.length).toBeGreaterThan(0);
    expect(frozenCodes.filter((c) => c !== 2)).toEqual([]);
    await sleep(1500);

    await clusters.redis().restart();
    await sleep(1500);
    await pump.stop();

    await expectStreamDelivered(sender.rec, receiver.rec, 's1', pump.ids, 60_000);
    // Recovered by itself: a new raw pair relays across the processes (the first pair's sessions
    // were lost with Redis's data, so their sockets were closed), and both nodes are ready.
    const rawC = await cluster.nodes[0].login('rawC');
    await cluster.nodes[1].login('rawD');
    await waitFor(async () => (await request(rawC.socket, 'relay:frame', { to: 'rawD', frame: frame(1) })).code === 0, 15_000, 'relay back');
    for (const node of cluster.nodes) expect((await fetch(`${node.url}/readyz`)).status).toBe(200);
  }, 120_000);
});
