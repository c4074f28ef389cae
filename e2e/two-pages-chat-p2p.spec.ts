// Two browser pages (one context each) log in to the demo, join one room and chat over a WebRTC
// data channel: each shows the other on the P2P path (member badge and mesh picture), and the
// server relays no message frame while they chat (its relayedMessages counter stays put).
import { expectFullP2PMesh } from './demo-page.js';
import { expect, test } from './fixtures.js';

test('two pages chat in one room over a P2P data channel', async ({ signaling, openDemo }) => {
  const alice = await openDemo('alice');
  const bob = await openDemo('bob');
  await alice.loginAndJoin();
  await bob.loginAndJoin();
  await expectFullP2PMesh([alice, bob]);

  const relayedBefore = signaling.stats().relayedMessages;
  await alice.sendRoom('hi bob, alice here');
  await bob.expectReceived('room', 'alice', 'hi bob, alice here');
  await bob.sendRoom('hello alice');
  await alice.expectReceived('room', 'bob', 'hello alice');
  await alice.sendDirect('bob', 'a direct word');
  await bob.expectReceived('direct', 'alice', 'a direct word');
  await bob.sendDirect('alice', 'and one back');
  await alice.expectReceived('direct', 'bob', 'and one back');

  // Every message went over the data channel: the server relayed none of them.
  expect(signaling.stats().relayedMessages).toBe(relayedBefore);
  // Nothing went to the wrong place: a broadcast never comes back to its sender.
  await expect(alice.received('room', 'alice')).toHaveCount(0);
  await expect(bob.received('room', 'bob')).toHaveCount(0);
  await alice.expectPath('bob', 'p2p');
  await bob.expectPath('alice', 'p2p');
  // The pages open with ?iceAddresses=127.0.0.1, so each offers and accepts only 127.0.0.1; what
  // else ICE learns (peer-reflexive) comes in on that socket. libwebrtc may still send to the
  // other's 127.0.0.1 from a socket on another local interface, but every packet of the link has
  // 127.0.0.1 at one end (Chrome hides peer-reflexive addresses: '').
  for (const [page, peer] of [[alice, 'bob'], [bob, 'alice']] as const) {
    const pair = await page.selectedPair(peer);
    expect([pair.local, pair.remote]).toContain('127.0.0.1');
  }
});
