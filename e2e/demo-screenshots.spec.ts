// A three-user session in the demo, as a person would use it: room chat, a direct message, a file
// sent with the file picker, an online-status lookup. Full-page screenshots of every page are saved
// to e2e/artifacts/screenshots/ and attached to the test (they are looked at, not compared).
import { expectFullP2PMesh } from './demo-page.js';
import { expect, test } from './fixtures.js';

test('a three-user demo session: room chat, a direct message, a file, online status; screenshots saved', async ({ openDemo, saveScreenshot }) => {
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((uid) => openDemo(uid)));
  await saveScreenshot(alice, '01-before-login');
  for (const u of [alice, bob, carol]) await u.loginAndJoin();
  // Members with P2P badges, and the mesh picture with a green (P2P) line to each of them.
  await expectFullP2PMesh([alice, bob, carol]);
  for (const u of [alice, bob, carol]) await u.expectConnectionState('Connected');

  const chat = [
    [alice, 'Morning all! Standup in 5?'],
    [bob, 'Sounds good — joining from the train.'],
    [carol, 'Notes from yesterday coming up.'],
  ] as const;
  for (const [sender, text] of chat) {
    await sender.sendRoom(text);
    for (const u of [alice, bob, carol].filter((o) => o !== sender)) await u.expectReceived('room', sender.uid, text);
  }

  await bob.sendDirect('alice', 'Can you share the deploy checklist after?');
  await alice.expectReceived('direct', 'bob', 'Can you share the deploy checklist after?');
  await expect(carol.received('direct', 'bob')).toHaveCount(0);

  const notes = Buffer.from('# Standup notes\n- relay fallback: done\n- mesh picture: done\n', 'utf8');
  await carol.sendFile({ name: 'standup-notes.md', mimeType: 'text/markdown', buffer: notes }, 'room');
  for (const u of [alice, bob]) {
    const file = u.receivedFile('carol', 'room', 'standup-notes.md');
    await expect(file).toHaveCount(1);
    await expect(file.getByTestId('file-link')).toHaveAttribute('download', 'standup-notes.md');
    expect(Buffer.from(await u.fileBytes(file))).toEqual(notes);
  }

  // Online status: a logged-in user is Online, one who never logged in is Offline.
  await alice.byTestId('status-uid').fill('carol');
  await alice.byTestId('status-button').click();
  await expect(alice.byTestId('status-result')).toHaveText('carol: Online');
  await alice.byTestId('status-uid').fill('dave');
  await alice.byTestId('status-button').click();
  await expect(alice.byTestId('status-result')).toHaveText('dave: Offline');
  await alice.byTestId('status-uid').fill('bob');
  await alice.byTestId('status-button').click();
  await expect(alice.byTestId('status-result')).toHaveText('bob: Online');

  // The stats panel is refreshed every 2 s: wait for a refresh so the screenshots show it current.
  await Promise.all([alice, bob, carol].map((u) => u.nextSysStats()));
  for (const u of [alice, bob, carol]) {
    await expect(u.byTestId('sys-stats').locator('[data-stat="p2pLinks"]')).toHaveText('2');
    await expect(u.byTestId('sys-stats').locator('[data-stat="frames"]')).toHaveText(/^[1-9]\d* \/ 0$/);
  }
  await saveScreenshot(alice, '02-alice-in-session');
  await saveScreenshot(bob, '03-bob-in-session');
  await saveScreenshot(carol, '04-carol-in-session');
});
