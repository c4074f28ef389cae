// The demo shows, per member, where messages really go (getPeerLinkStats): two pages on one
// machine link directly, so each shows the other as "direct"; a relay-only page shows "via server".
import { expect, test } from './fixtures.js';

test('the demo shows each member\'s route: direct, or via server for a relay-only page', async ({ openDemo }) => {
  const alice = await openDemo('alice');
  const bob = await openDemo('bob');
  await alice.loginAndJoin();
  await bob.loginAndJoin();
  await alice.expectMembers(['bob'], 'p2p');
  await bob.expectMembers(['alice'], 'p2p');
  await expect(alice.member('bob').getByTestId('member-route')).toHaveText('direct');
  await expect(bob.member('alice').getByTestId('member-route')).toHaveText('direct');

  const carol = await openDemo('carol', { relayOnly: true });
  await carol.loginAndJoin();
  await alice.expectMembers(['bob', 'carol']);
  await expect(alice.member('carol').getByTestId('member-route')).toHaveText('via server');
});
