// Three browser pages (one context each) in one room form a full mesh: every pair is linked by
// its own data channel (P2P on every page, for every member), room messages reach both others,
// a direct message only its target, and the server relays none of it.
import { expectFullP2PMesh } from './demo-page.js';
import { expect, test } from './fixtures.js';

test('three pages chat in one room, every pair over a P2P data channel', async ({ signaling, openDemo }) => {
  const users = await Promise.all(['alice', 'bob', 'carol'].map((uid) => openDemo(uid)));
  for (const u of users) await u.loginAndJoin();
  await expectFullP2PMesh(users);

  const relayedBefore = signaling.stats().relayedMessages;
  for (const sender of users) {
    const text = `hello everyone, ${sender.uid} speaking`;
    await sender.sendRoom(text);
    for (const receiver of users.filter((u) => u !== sender)) await receiver.expectReceived('room', sender.uid, text);
  }
  const [alice, bob, carol] = users;
  await carol.sendDirect('alice', 'just for alice');
  await alice.expectReceived('direct', 'carol', 'just for alice');
  await bob.sendDirect('carol', 'just for carol');
  await carol.expectReceived('direct', 'bob', 'just for carol');

  expect(signaling.stats().relayedMessages).toBe(relayedBefore);
  // Each page got exactly the two room messages of the others, and only its own direct messages.
  for (const u of users) await expect(u.page.locator('[data-testid="message"][data-kind="room"]:not(.msg-own)')).toHaveCount(2);
  await expect(bob.page.locator('[data-testid="message"][data-kind="direct"]:not(.msg-own)')).toHaveCount(0);
  await expect(alice.received('direct', 'carol')).toHaveCount(1);
  await expect(carol.received('direct', 'bob')).toHaveCount(1);
});
