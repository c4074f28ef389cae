// A real network cut under a live link (root: network namespaces, see helpers/netns.ts). Two
// engines in their own namespaces, the signaling server in a third; the wire between the two
// engines is taken down while 1,000 reliable messages stream over it. Nothing closes the
// connection: the links' own heartbeat notices the silence (linkTimeoutMs, 2 s; ICE alone would
// take 5 s on @roamhq/wrtc and longer on node-datachannel), the SDK then falls back to the
// relay, which is on another wire and still up. The stream arrives complete, in order, once;
// when the wire is back the link comes back by itself. (network-link-cut.test.ts measures the
// same with a steady stream and checks the link is the same connection.)
import { afterEach, describe, expect, it } from 'vitest';
import { createTopology, type Topology } from './helpers/netns.js';
import { event, inNamespace as run } from './helpers/netns-procs.js';
import type { SpawnedProcess } from './helpers/processes.js';
import { STACKS } from './helpers/mesh.js';

const COUNT = 1000;

let topo: Topology | null = null;
const children: SpawnedProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await c.stop(2000);
  await topo?.destroy();
  topo = null;
});

const inNamespace = (ns: string, name: string, script: string, args: string[], env: Record<string, string> = {}): SpawnedProcess =>
  run(children, ns, name, script, args, env);

/** The paths a fixture reported for its peer, from the first 'p2p' on. */
function paths(p: SpawnedProcess): string[] {
  const all = p.output().split('\n').filter((l) => l.startsWith('{"ev":"path"')).map((l) => (JSON.parse(l) as { state: string }).state);
  return all.slice(all.indexOf('p2p'));
}

describe.each(STACKS)('a network cut under a live link (network namespaces) on %s', (stack) => {
  it('1,000 reliable messages arrive complete, in order, once; the link comes back when the wire does', async () => {
    topo = await createTopology();
    const server = inNamespace(topo.s, 'signaling', 'netns-server-fixture.ts', ['0']);
    const [, port] = await server.waitForLine(/^ready (\d+)/, { timeoutMs: 30_000 });
    const common = { STACK: stack, COUNT: String(COUNT) };
    const sender = inNamespace(topo.a, 'alice', 'netns-peer-fixture.ts', [], {
      ...common, ROLE: 'sender', UID: 'alice', PEER: 'bob', SERVER: `http://${topo.serverFromA}:${port}`,
    });
    const receiver = inNamespace(topo.b, 'bob', 'netns-peer-fixture.ts', [], {
      ...common, ROLE: 'receiver', UID: 'bob', PEER: 'alice', SERVER: `http://${topo.serverFromB}:${port}`,
    });
    await event(sender, 'path', (o: { state: string }) => o.state === 'p2p');
    await event(receiver, 'path', (o: { state: string }) => o.state === 'p2p');

    await event(sender, 'sent', (o: { n: number }) => o.n >= 300);
    await topo.cut();
    // Nothing tells either side; ICE finds out by itself, and the stream moves to the relay.
    const received = await event(receiver, 'received', () => true, 60_000);
    expect(received).toMatchObject({ count: COUNT, unique: COUNT, inOrder: true });
    expect(await event(sender, 'results', () => true, 30_000)).toMatchObject({ codes: { 0: COUNT } });
    expect(paths(sender)).toEqual(expect.arrayContaining(['p2p', 'relay']));
    expect(paths(receiver)).toEqual(expect.arrayContaining(['p2p', 'relay']));

    await topo.restore();
    expect(await event(sender, 'after', () => true, 45_000)).toMatchObject({ code: 0 });
    await event(receiver, 'after');
    expect(paths(sender).at(-1)).toBe('p2p');
  }, 90_000);
});
