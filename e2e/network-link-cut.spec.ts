// A Chromium page and a Node engine on two sides of a real wire (root: network namespaces, see
// test/helpers/netns.ts): Chromium runs inside namespace A, the Node engine (node-datachannel)
// (@roamhq/wrtc, which answers the page's ICE restart, or node-datachannel, which cannot and
// recovers on the old ICE session) in B, the signaling server in S. The page streams reliable messages to the Node engine over
// their P2P link; the A–B wire is cut and restored under the stream. The heartbeat moves the
// stream to the relay, nothing is lost or doubled, and the link comes back on the same
// connection (Chromium, the initiator, restarts ICE).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { createToken } from '../shared/token.js';
import { createTopology } from '../test/helpers/netns.js';
import { event, events, inNamespace } from '../test/helpers/netns-procs.js';
import { TEST_APP_ID, TEST_APP_KEY } from '../test/helpers/server.js';
import { launchInNamespace, streamingPage, useNetnsRun, type PagePath } from './netns-browser.js';

const bed = useNetnsRun();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

for (const stack of ['wrtc', 'node-datachannel'] as const) {
  test(`Chromium ↔ Node (${stack}): a wire cut moves the stream to the relay and back to p2p on the same connection`, async () => {
    test.setTimeout(120_000);
    const topo = (bed.topo = await createTopology(`rtse${process.pid % 100_000}${stack[0]}`));
    const dir = (bed.dir = mkdtempSync(join(tmpdir(), 'rtsmesh-e2e-cut-')));
    const server = inNamespace(bed.children, topo.s, 'signaling', 'netns-server-fixture.ts', ['0']);
    const [, port] = await server.waitForLine(/^ready (\d+)/, { timeoutMs: 30_000 });
    // 'alice' < 'bob': the page initiates, so the ICE restart is Chromium's.
    const bob = inNamespace(bed.children, topo.b, 'bob', 'network-cut-fixture.ts', [], {
      ROLE: 'receiver', UID: 'bob', PEER: 'alice', SERVER: `http://${topo.serverFromB}:${port}`, STACK: stack, CONTROL: join(dir, 'control'),
    });
    const chromium = (bed.chromium = await launchInNamespace(topo.a, [topo.serverFromA]));
    const page = await streamingPage(chromium.browser, {
      server: `http://${topo.serverFromA}:${port}`,
      appId: TEST_APP_ID,
      uid: 'alice',
      token: createToken({ appId: TEST_APP_ID, appKey: TEST_APP_KEY, userId: 'alice' }),
      peer: 'bob',
      room: 'netcut',
    });
    const paths = (): Promise<PagePath[]> => page.evaluate('netTest.paths()') as Promise<PagePath[]>;
    await expect.poll(async () => (await paths()).map((p) => p.state), { timeout: 30_000 }).toContain('p2p');
    await event(bob, 'path', (o: { state: string }) => o.state === 'p2p');
    const first = (await paths()).find((p) => p.state === 'p2p')!;
    await page.evaluate('netTest.start()');
    await event(bob, 'm', (o: { i: number }) => o.i >= 20);

    const cutAt = Date.now();
    await topo.cut();
    await expect.poll(async () => (await paths()).some((p) => p.state === 'relay' && p.at >= cutAt), { timeout: 20_000 }).toBe(true);
    await sleep(1000);
    const restoreAt = Date.now();
    await topo.restore();
    await expect.poll(async () => (await paths()).some((p) => p.state === 'p2p' && p.at >= restoreAt), { timeout: 30_000 }).toBe(true);
    await sleep(500);
    await page.evaluate('netTest.stop()');

    await expect.poll(async () => {
      const r = (await page.evaluate('netTest.results()')) as { sent: number; done: number };
      return r.done === r.sent;
    }, { timeout: 40_000 }).toBe(true);
    const results = (await page.evaluate('netTest.results()')) as { sent: number; codes: Record<string, number> };
    expect(results.codes).toEqual({ 0: results.sent });
    await event(bob, 'm', (o: { i: number }) => o.i === results.sent - 1, 30_000);
    expect(events<{ i: number }>(bob, 'm').map((m) => m.i)).toEqual(Array.from({ length: results.sent }, (_, i) => i));

    const all = await paths();
    const relay = all.find((p) => p.state === 'relay' && p.at >= cutAt)!;
    const back = all.find((p) => p.state === 'p2p' && p.at >= restoreAt)!;
    // The same connection carried the link again, after an ICE restart by the page.
    expect(back.linkId).toBe(first.linkId);
    expect(back.iceRestarts).toBeGreaterThanOrEqual(1);
    console.log(`chromium (peer on ${stack}): relay reported after ${relay.at - cutAt} ms, p2p again ${back.at - restoreAt} ms after the restore, ${back.iceRestarts} ICE restart(s)`);
  });
}
