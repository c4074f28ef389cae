// A browser page (the demo, native WebRTC) and a Node program (the SDK from 'rtsmesh/client' over
// @roamhq/wrtc) share a room and exchange room and direct messages, text and binary, both ways,
// over one P2P data channel: both sides report the P2P path and the server relays nothing.
import { decodeDemoFile, encodeDemoFile } from './file-format.js';
import { expect, test } from './fixtures.js';
import { asBytes, nodeUserInRoom, type NodeUser } from './node-client.js';

const ROOM_OK = 200;
const DIRECT_OK = 0;

let node: NodeUser | undefined;
test.afterEach(() => {
  node?.destroy();
  node = undefined;
});

test('a browser page and a Node client exchange room and direct messages, text and binary, both ways', async ({ signaling, openDemo }) => {
  const alice = await openDemo('alice');
  await alice.loginAndJoin();
  node = await nodeUserInRoom(signaling.url, 'nodebot', 'lobby');
  const n = node;

  // The path is P2P on both sides: the page's member badge and the Node engine's own link state.
  await alice.expectMembers(['nodebot'], 'p2p');
  await n.log.wait('onPeerLinkStateChanged', (uid, state) => uid === 'alice' && state === 'p2p');
  await n.roomLog.wait('onUserJoined', (info) => (info as { uid: string }).uid === 'alice');
  const relayedBefore = signaling.stats().relayedMessages;

  await test.step('room text, browser → Node and Node → browser', async () => {
    await alice.sendRoom('hello node, from the browser');
    await n.roomLog.wait('onRoomMessageReceived', (from, text) => from === 'alice' && text === 'hello node, from the browser');
    const id = n.room.sendRoomMessage('hello browser, from node');
    await n.roomLog.wait('onRoomMessageSendResult', (msgId, code) => msgId === id && code === ROOM_OK);
    await alice.expectReceived('room', 'nodebot', 'hello browser, from node');
  });

  await test.step('room binary, browser → Node and Node → browser', async () => {
    const fromPage = Buffer.from('a file from the browser page\n\u0000\u00ff binary tail', 'latin1');
    await alice.sendFile({ name: 'page-notes.txt', mimeType: 'text/plain', buffer: fromPage }, 'room');
    const [from, bytes] = await n.roomLog.wait('onRoomBinaryMessageReceived');
    expect(from).toBe('alice');
    const file = decodeDemoFile(asBytes(bytes));
    expect(file.name).toBe('page-notes.txt');
    expect(Buffer.from(file.data)).toEqual(fromPage);

    const fromNode = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff);
    const id = n.room.sendRoomBinaryMessage(encodeDemoFile('node-data.bin', 'application/octet-stream', fromNode));
    await n.roomLog.wait('onRoomMessageSendResult', (msgId, code) => msgId === id && code === ROOM_OK);
    const shown = alice.receivedFile('nodebot', 'room', 'node-data.bin');
    await expect(shown).toHaveCount(1);
    expect(await alice.fileBytes(shown)).toEqual(fromNode);
  });

  await test.step('direct text, browser → Node and Node → browser', async () => {
    await alice.sendDirect('nodebot', 'psst, node');
    await n.log.wait('onMessageReceived', (from, text) => from === 'alice' && text === 'psst, node');
    const id = n.rts.sendMessage('alice', 'psst, browser');
    await n.log.wait('onMessageSendResult', (msgId, code) => msgId === id && code === DIRECT_OK);
    await alice.expectReceived('direct', 'nodebot', 'psst, browser');
  });

  await test.step('direct binary, browser → Node and Node → browser', async () => {
    const fromPage = Buffer.from(Array.from({ length: 1024 }, (_, i) => 255 - (i & 0xff)));
    await alice.sendFile({ name: 'direct.bin', mimeType: 'application/octet-stream', buffer: fromPage }, { uid: 'nodebot' });
    const [from, bytes] = await n.log.wait('onBinaryMessageReceived');
    expect(from).toBe('alice');
    const file = decodeDemoFile(asBytes(bytes));
    expect(file.name).toBe('direct.bin');
    expect(Buffer.from(file.data)).toEqual(fromPage);

    // Raw bytes that are not in the demo's file format: the page still shows them, as binary.bin.
    const raw = Uint8Array.from([0, 1, 2, 3, 254, 255]);
    const id = n.rts.sendBinaryMessage('alice', raw);
    await n.log.wait('onMessageSendResult', (msgId, code) => msgId === id && code === DIRECT_OK);
    const shown = alice.receivedFile('nodebot', 'direct', 'binary.bin');
    await expect(shown).toHaveCount(1);
    expect(await alice.fileBytes(shown)).toEqual(raw);
  });

  // All of it went over the data channel, and the link never left P2P on either side.
  expect(signaling.stats().relayedMessages).toBe(relayedBefore);
  await alice.expectPath('nodebot', 'p2p');
  const nodeStates = n.log.of('onPeerLinkStateChanged').filter(([uid]) => uid === 'alice').map(([, s]) => s);
  expect(nodeStates.at(-1)).toBe('p2p');
  // Nothing arrived twice.
  expect(n.roomLog.of('onRoomMessageReceived')).toHaveLength(1);
  expect(n.log.of('onMessageReceived')).toHaveLength(1);
});
