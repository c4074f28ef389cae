// The signaling server goes away while two pages are in a room: their data channels keep carrying
// room and direct messages, and each page shows that it lost the server. The server comes back on
// the same port: the pages reconnect, log in and rejoin by themselves (join_type 1), and the page
// shows that too. Chat keeps working throughout.
import { expect, test } from './fixtures.js';

// The SPEC default grace (10 s). The demo reconnects with the SDK's default backoff (up to 5 s
// ± 20 % between attempts), so one page may be back several seconds before the other; a grace
// shorter than that would rightly announce the slower one as Dropped.
test.use({ signalingOptions: { dropGraceMs: 10_000 } });

test('pages keep chatting over P2P while the signaling server is down, then reconnect and rejoin when it restarts', async ({ signaling, openDemo, saveScreenshot }) => {
  const alice = await openDemo('alice');
  const bob = await openDemo('bob');
  await alice.loginAndJoin();
  await bob.loginAndJoin();
  await alice.expectMembers(['bob'], 'p2p');
  await bob.expectMembers(['alice'], 'p2p');
  for (const p of [alice, bob]) await p.expectConnectionState('Connected');
  await alice.sendRoom('before the outage');
  await bob.expectReceived('room', 'alice', 'before the outage');

  await test.step('server stopped: the pages show it and keep chatting over their data channel', async () => {
    await signaling.stop();
    for (const p of [alice, bob]) {
      await p.expectConnectionState('Reconnecting');
      await expect(p.systemMessages(/Connection to the server lost; reconnecting/)).toHaveCount(1);
    }
    await saveScreenshot(alice, 'restart-1-alice-while-server-down');

    // Delivery results come back over the data channel too (the demo marks them delivered).
    await alice.sendRoom('the server is gone, the mesh is not');
    await bob.expectReceived('room', 'alice', 'the server is gone, the mesh is not');
    await bob.sendRoom('still hearing you');
    await alice.expectReceived('room', 'bob', 'still hearing you');
    await bob.sendDirect('alice', 'direct, without a server');
    await alice.expectReceived('direct', 'bob', 'direct, without a server');
    // The link itself never went away.
    await alice.expectPath('bob', 'p2p');
    await bob.expectPath('alice', 'p2p');
    // Nothing the pages did brought the server back.
    expect(signaling.running).toBe(false);
  });

  await test.step('server restarted on the same port: the pages reconnect and rejoin by themselves', async () => {
    await signaling.restart();
    for (const p of [alice, bob]) {
      // The page saw Reconnected (its own log line says so) and then rejoined with join_type 1.
      await expect(p.systemMessages('Reconnected to the server.')).toHaveCount(1, { timeout: 20_000 });
      await expect(p.systemMessages(`Rejoined room ${p.room} after reconnecting.`)).toHaveCount(1, { timeout: 20_000 });
      await expect(p.connectionState).toHaveAttribute('data-state', /^(3|5)$/);
      await expect(p.connectionState).toHaveText(/^(Connected|Reconnected)$/);
      await expect(p.page.locator('body')).toHaveAttribute('data-room', 'joined');
    }
    // The new server knows both of them again: logged in and in the room.
    expect(signaling.stats().loggedIn).toBe(2);
    await alice.expectMembers(['bob'], 'p2p');
    await bob.expectMembers(['alice'], 'p2p');
    await saveScreenshot(alice, 'restart-2-alice-after-restart');
  });

  await test.step('chat works as before', async () => {
    const relayedBefore = signaling.stats().relayedMessages;
    await alice.sendRoom('welcome back, server');
    await bob.expectReceived('room', 'alice', 'welcome back, server');
    await bob.sendRoom('back to normal');
    await alice.expectReceived('room', 'bob', 'back to normal');
    await alice.sendDirect('bob', 'one more direct');
    await bob.expectReceived('direct', 'alice', 'one more direct');
    expect(signaling.stats().relayedMessages).toBe(relayedBefore);
  });

  // Every message arrived exactly once, across the outage and the rejoin.
  await expect(bob.received('room', 'alice')).toHaveCount(3);
  await expect(alice.received('room', 'bob')).toHaveCount(2);
  // Nobody was announced as gone: the restart is not a leave.
  await expect(alice.systemMessages('bob left the room')).toHaveCount(0);
  await expect(bob.systemMessages('alice left the room')).toHaveCount(0);
});
