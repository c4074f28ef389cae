// A page in relay-only mode (?relayOnly=1: no WebRTC links at all) shares a room with two normal
// pages: it chats with both, both ways, through the server's relay, and says so (Relay badges,
// the relay-only pill); the two normal pages still talk to each other over P2P.
import { expect, test } from './fixtures.js';

test('a relay-only page chats with two P2P pages through the server relay', async ({ signaling, openDemo, saveScreenshot }) => {
  const alice = await openDemo('alice');
  const bob = await openDemo('bob');
  const rita = await openDemo('rita', { relayOnly: true });
  await expect(rita.byTestId('relay-only')).toBeChecked();
  await expect(alice.byTestId('relay-only')).not.toBeChecked();
  for (const p of [alice, bob, rita]) await p.loginAndJoin();
  await expect(rita.byTestId('relay-only-pill')).toBeVisible();
  await expect(alice.byTestId('relay-only-pill')).toBeHidden();

  // rita sees both others on the relay; they see her on the relay too, and each other on P2P.
  await rita.expectMembers(['alice', 'bob'], 'relay');
  await alice.expectMembers(['bob', 'rita']);
  await bob.expectMembers(['alice', 'rita']);
  await alice.expectPath('bob', 'p2p');
  await bob.expectPath('alice', 'p2p');
  await alice.expectPath('rita', 'relay');
  await bob.expectPath('rita', 'relay');
  await expect(rita.meshLink('alice')).toHaveAttribute('data-path', 'relay');

  const relayed = (): number => signaling.stats().relayedMessages;
  let before = relayed();

  await test.step('relay-only → others (room and direct)', async () => {
    await rita.sendRoom('rita here, via the server');
    await alice.expectReceived('room', 'rita', 'rita here, via the server');
    await bob.expectReceived('room', 'rita', 'rita here, via the server');
    await rita.sendDirect('bob', 'bob, a direct one via the server');
    await bob.expectReceived('direct', 'rita', 'bob, a direct one via the server');
    expect(relayed()).toBeGreaterThan(before);
  });

  await test.step('others → relay-only (room and direct)', async () => {
    before = relayed();
    await alice.sendRoom('hello rita and bob');
    await rita.expectReceived('room', 'alice', 'hello rita and bob');
    await bob.expectReceived('room', 'alice', 'hello rita and bob');
    await bob.sendDirect('rita', 'rita, direct from bob');
    await rita.expectReceived('direct', 'bob', 'rita, direct from bob');
    // Only the copies for rita took the relay: the broadcast to bob went over P2P.
    expect(relayed()).toBeGreaterThan(before);
  });

  await test.step('the two normal pages still talk P2P to each other', async () => {
    before = relayed();
    await bob.sendDirect('alice', 'alice, straight to you');
    await alice.expectReceived('direct', 'bob', 'alice, straight to you');
    expect(relayed()).toBe(before);
  });

  // The relay-only page never opened a link, whatever the others tried.
  await rita.expectPath('alice', 'relay');
  await rita.expectPath('bob', 'relay');
  await Promise.all([rita.nextSysStats(), alice.nextSysStats()]);
  await expect(rita.byTestId('sys-stats').locator('[data-stat="p2pLinks"]')).toHaveText('0');
  await expect(rita.byTestId('sys-stats').locator('[data-stat="frames"]')).toHaveText(/^0 \/ [1-9]\d*$/);
  await saveScreenshot(rita, 'relay-only-rita');
  await saveScreenshot(alice, 'relay-only-alice');
});
