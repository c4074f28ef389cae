// Peers on different networks (root: network namespaces, helpers/netns.ts, and a real coturn,
// helpers/coturn.ts). Two engines in namespaces with no route to each other (their direct wire is
// down from the start); both reach the signaling server and a coturn running beside it. With the
// server's `ice.turn` option they link P2P through TURN (the selected candidate is 'relay'),
// and the server relays none of their messages. Without it, or with a secret coturn does not
// share, they stay on the server relay and still get every message.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startTurnServer, type TurnServer } from './helpers/coturn.js';
import { createTopology, type Topology } from './helpers/netns.js';
import { event, events, inNamespace } from './helpers/netns-procs.js';
import type { SpawnedProcess } from './helpers/processes.js';

const run = promisify(execFile);
const SECRET = `turn-secret-${process.pid}`;

let topo: Topology | null = null;
let turn: TurnServer | null = null;
let dir: string | null = null;
const children: SpawnedProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) await c.stop(2000);
  await turn?.stop();
  turn = null;
  await topo?.destroy();
  topo = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

type Path = { state: string; at: number; linkId: string | null; candidateType: string | null; remoteCandidateType: string | null };

/** The selected pair goes through TURN: one end of it is a relay candidate. */
const viaTurn = (p: Path): boolean => p.candidateType === 'relay' || p.remoteCandidateType === 'relay';
type Stats = { relayedMessages: number; relayedFrames: number };

/** The server fixture's counters, asked for by signal. */
async function serverStats(server: SpawnedProcess): Promise<Stats> {
  const before = server.output().split('\n').filter((l) => l.startsWith('stats ')).length;
  process.kill(server.pid, 'SIGUSR2');
  for (let i = 0; i < 100; i++) {
    const lines = server.output().split('\n').filter((l) => l.startsWith('stats '));
    if (lines.length > before) return JSON.parse(lines.at(-1)!.slice(6)) as Stats;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no stats from the server fixture');
}

/** Signaling and coturn in S, alice in A, bob in B; A and B have no path to each other. */
async function setUp(stack: string, ice: 'turn' | 'none' | 'wrong-secret') {
  topo = await createTopology();
  await topo.cut();
  // coturn listens on S's address towards A; B reaches that address through its own wire to S.
  // Relays are allocated on the same address, which both peers reach as they would a public
  // TURN server. (libdatachannel cannot pair two relay candidates of one server with each other:
  // with relays on an address the peers cannot reach, it never links.)
  await run('ip', ['-n', topo.b, 'route', 'add', `${topo.serverFromA}/32`, 'via', topo.serverFromB]);
  turn = await startTurnServer({ secret: SECRET, ip: topo.serverFromA, netns: topo.s });
  const option = ice === 'none' ? undefined : { turn: { urls: [turn.url], secret: ice === 'turn' ? SECRET : 'not-the-secret' } };
  dir = mkdtempSync(join(tmpdir(), 'rtsmesh-turn-'));
  const control = join(dir, 'control');
  const server = inNamespace(children, topo.s, 'signaling', 'netns-server-fixture.ts', ['0'], option ? { ICE: JSON.stringify(option) } : {});
  const [, port] = await server.waitForLine(/^ready (\d+)/, { timeoutMs: 30_000 });
  const common = { STACK: stack, CONTROL: control, WAIT_P2P: ice === 'turn' ? '1' : '0' };
  const sender = inNamespace(children, topo.a, 'alice', 'network-cut-fixture.ts', [], {
    ...common, ROLE: 'sender', UID: 'alice', PEER: 'bob', SERVER: `http://${topo.serverFromA}:${port}`,
  });
  const receiver = inNamespace(children, topo.b, 'bob', 'network-cut-fixture.ts', [], {
    ...common, ROLE: 'receiver', UID: 'bob', PEER: 'alice', SERVER: `http://${topo.serverFromB}:${port}`,
  });
  return { server, sender, receiver, stop: () => writeFileSync(control, 'stop') };
}

/** Streams until `count` messages arrived, stops, and checks every one arrived once, in order, with result 0. */
async function streamAll(p: Awaited<ReturnType<typeof setUp>>, count: number): Promise<void> {
  await event(p.receiver, 'm', (o: { i: number }) => o.i >= count, 60_000);
  p.stop();
  const results = await event<{ sent: number; codes: Record<string, number> }>(p.sender, 'results', () => true, 60_000);
  expect(results.codes).toEqual({ 0: results.sent });
  await event(p.receiver, 'm', (o: { i: number }) => o.i === results.sent - 1, 30_000);
  expect(events<{ i: number }>(p.receiver, 'm').map((m) => m.i)).toEqual(Array.from({ length: results.sent }, (_, i) => i));
}

describe.each(['node-datachannel', 'wrtc'])('peers without a route to each other on %s', (stack) => {
  it('link P2P through the TURN server the signaling server hands out; the server relays nothing', async () => {
    const p = await setUp(stack, 'turn');
    const linked = [
      await event<Path>(p.sender, 'path', (o) => o.state === 'p2p', 30_000),
      await event<Path>(p.receiver, 'path', (o) => o.state === 'p2p', 30_000),
    ];
    // Each side's selected pair has a relay end; one side sends through its own allocation.
    expect(linked.map(viaTurn)).toEqual([true, true]);
    expect(linked.map((l) => l.candidateType)).toContain('relay');
    console.log(`${stack} through TURN: selected pairs ${linked.map((l) => `${l.candidateType}->${l.remoteCandidateType}`).join(', ')}`);
    const before = await serverStats(p.server);
    await streamAll(p, 100);
    const after = await serverStats(p.server);
    expect(after.relayedFrames - before.relayedFrames).toBe(0);
    // ('relay' before the first 'p2p' is only the link layer loading.)
    const states = events<Path>(p.sender, 'path').map((e) => e.state);
    expect(states.slice(states.indexOf('p2p'))).not.toContain('relay');
    expect(turn!.output()).toMatch(/user <\d+:alice>: incoming packet ALLOCATE processed, success/);
  }, 120_000);
});

describe.each([['no TURN', 'none'], ['a TURN secret coturn does not share', 'wrong-secret']] as const)('with %s', (_name, ice) => {
  it('peers without a route to each other stay on the server relay and get every message', async () => {
    const p = await setUp('node-datachannel', ice);
    await streamAll(p, 100);
    expect(events<Path>(p.sender, 'path').map((e) => e.state)).not.toContain('p2p');
    expect((await serverStats(p.server)).relayedFrames).toBeGreaterThan(0);
    if (ice === 'wrong-secret') expect(turn!.output()).not.toMatch(/user <\d+:alice>: incoming packet ALLOCATE processed, success/);
  }, 120_000);
});
