// LAN with no STUN/TURN: a Chromium page with default settings (no camera/microphone
// permission, so it hides its host address behind a `<uuid>.local` mDNS name) and a Node engine
// on one shared link (root: network namespaces; Chromium in A with its default route on the A–B
// wire, the Node engine in B). Neither Node stack resolves `.local` names, and they need not:
// the page, which does know the Node engine's plain host address, sends its connectivity checks
// there, and the Node side learns the page's real address from those checks (a peer-reflexive
// candidate). They link P2P and the server relays none of their messages.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { createToken } from '../shared/token.js';
import { createTopology } from '../test/helpers/netns.js';
import { event, events, inNamespace } from '../test/helpers/netns-procs.js';
import { TEST_APP_ID, TEST_APP_KEY } from '../test/helpers/server.js';
import { launchInNamespace, streamingPage, useNetnsRun, type PagePath } from './netns-browser.js';

const run = promisify(execFile);
const bed = useNetnsRun();

type NodePath = { state: string; candidateType: string | null; remoteCandidateType: string | null };

// Who initiates decides who sends the offer; ICE checks go both ways either way.
const CASES = [
  { stack: 'node-datachannel', page: 'alice', node: 'bob' },
  { stack: 'wrtc', page: 'alice', node: 'bob' },
  { stack: 'node-datachannel', page: 'bob', node: 'alice' },
] as const;

for (const { stack, page: pageUid, node: nodeUid } of CASES) {
  const initiator = pageUid < nodeUid ? 'the page' : 'the Node engine';
  test(`@mdns a page without media permission (mDNS candidates) and a Node engine (${stack}) on one LAN link P2P, ${initiator} initiating`, async () => {
    test.setTimeout(90_000);
    const topo = (bed.topo = await createTopology(`rtsd${process.pid % 100_000}${stack[0]}${pageUid[0]}`));
    // The page's host candidate comes from the default route's interface: the A–B wire.
    await run('ip', ['-n', topo.a, 'route', 'add', 'default', 'dev', 'ab']);
    const dir = (bed.dir = mkdtempSync(join(tmpdir(), 'rtsmesh-e2e-mdns-')));
    const server = inNamespace(bed.children, topo.s, 'signaling', 'netns-server-fixture.ts', ['0']);
    const [, port] = await server.waitForLine(/^ready (\d+)/, { timeoutMs: 30_000 });
    const bob = inNamespace(bed.children, topo.b, nodeUid, 'network-cut-fixture.ts', [], {
      ROLE: 'receiver', UID: nodeUid, PEER: pageUid, SERVER: `http://${topo.serverFromB}:${port}`, STACK: stack, CONTROL: join(dir, 'control'),
    });
    const chromium = (bed.chromium = await launchInNamespace(topo.a, [topo.serverFromA]));
    const page = await streamingPage(chromium.browser, {
      server: `http://${topo.serverFromA}:${port}`,
      appId: TEST_APP_ID,
      uid: pageUid,
      token: createToken({ appId: TEST_APP_ID, appKey: TEST_APP_KEY, userId: pageUid }),
      peer: nodeUid,
      room: 'netcut',
    }, { mdns: true });
    const paths = (): Promise<PagePath[]> => page.evaluate('netTest.paths()') as Promise<PagePath[]>;
    await expect.poll(async () => (await paths()).map((p) => p.state), { timeout: 30_000 }).toContain('p2p');
    const atBob = await event<NodePath>(bob, 'path', (o) => o.state === 'p2p');
    const atPage = (await paths()).find((p) => p.state === 'p2p')!;
    console.log(`mDNS page ↔ ${stack}, ${initiator} initiating: page selected ${atPage.candidateType}, Node selected ${atBob.candidateType} -> ${atBob.remoteCandidateType}`);
    // The page's address reached the Node side only through its checks, never by name.
    expect(atBob.remoteCandidateType).toBe('prflx');

    await page.evaluate('netTest.start()');
    await event(bob, 'm', (o: { i: number }) => o.i >= 50);
    await page.evaluate('netTest.stop()');
    await expect.poll(async () => {
      const r = (await page.evaluate('netTest.results()')) as { sent: number; done: number };
      return r.done === r.sent;
    }, { timeout: 30_000 }).toBe(true);
    const results = (await page.evaluate('netTest.results()')) as { sent: number; codes: Record<string, number> };
    expect(results.codes).toEqual({ 0: results.sent });
    await event(bob, 'm', (o: { i: number }) => o.i === results.sent - 1);
    expect(events<{ i: number }>(bob, 'm').map((m) => m.i)).toEqual(Array.from({ length: results.sent }, (_, i) => i));
    expect((await paths()).map((p) => p.state)).not.toContain('relay');
  });
}
