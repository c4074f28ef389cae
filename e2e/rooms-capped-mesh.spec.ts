// Issue 11 in browsers: 6 pages in one room with maxPeerLinks 2. Each page links directly to
// exactly 2 members (the same pairs at both ends) and reaches the other 3 through the server;
// its member list shows which is which; every broadcast reaches all 5 others, and goes through
// the server once.
import { expect, test } from './fixtures.js';

const UIDS = ['ana', 'ben', 'cai', 'dev', 'eli', 'fay'];

test('six pages with maxPeerLinks 2: mixed paths, shown per member, every message arrives', async ({ signaling, openDemo }) => {
  test.setTimeout(120_000);
  const pages = await Promise.all(UIDS.map((uid) => openDemo(uid)));
  for (const p of pages) {
    await p.login();
    const code = await p.page.evaluate(() =>
      (window as unknown as { rtsDemo: { rts: { setRuntimeParameters(o: object): number } } }).rtsDemo.rts.setRuntimeParameters({ maxPeerLinks: 2 }));
    expect(code).toBe(0);
  }
  for (const p of pages) await p.join();

  // Every page lists the 5 others: 2 over P2P, 3 through the server.
  for (const p of pages) {
    await p.expectMembers(UIDS.filter((u) => u !== p.uid));
    await expect(p.page.locator('[data-testid="member"][data-path="p2p"]')).toHaveCount(2, { timeout: 30_000 });
    await expect(p.page.locator('[data-testid="member"][data-path="relay"]')).toHaveCount(3, { timeout: 30_000 });
  }
  // Both ends agree on every direct pair.
  const direct = new Map<string, string[]>();
  for (const p of pages) {
    direct.set(p.uid, await p.page.locator('[data-testid="member"][data-path="p2p"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-uid')!)));
  }
  for (const [uid, peers] of direct) for (const peer of peers) expect(direct.get(peer), `${peer} links back to ${uid}`).toContain(uid);

  const relayedBefore = signaling.stats().relayedMessages;
  for (const sender of pages) {
    const text = `capped hello from ${sender.uid}`;
    await sender.sendRoom(text);
    for (const receiver of pages.filter((p) => p !== sender)) await receiver.expectReceived('room', sender.uid, text);
  }
  // Each broadcast went once through the server (to the 3 members not linked to its sender).
  expect(signaling.stats().relayedMessages - relayedBefore).toBe(UIDS.length);
  for (const p of pages) await expect(p.page.locator('[data-testid="message"][data-kind="room"]:not(.msg-own)')).toHaveCount(5);
});
