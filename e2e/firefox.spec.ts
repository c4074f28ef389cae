// Firefox ESR (puppeteer-core over WebDriver BiDi) with the SDK from /rtsmesh.js: a direct P2P
// link to Chromium and to a Node client (node-datachannel), carrying text, binary, 65,536-byte
// messages (three at once too: one data-channel message of ~192 KiB) and the unreliable channels
// (MessageConfig 1 and 2) both ways, with the server relaying nothing; and a sender in a
// background tab with Firefox's default timer clamping still getting every send result.
import { MessageConfig } from 'rtsmesh/client';
import { expect, launchFirefox, openFirefoxTab, test } from './firefox-fixtures.js';
import { asBytes, nodeUserInRoom, type NodeUser } from './node-client.js';
import { digest, pattern, type SdkPage } from './sdk-page.js';

const ROOM = 'foxroom';
const MAX_MESSAGE_BYTES = 65_536;
const SUCCESS = 0;

test.describe.configure({ timeout: 120_000 });

/** What a test needs of either side of a link: a page (SdkPage) or a Node engine. */
interface Peer {
  uid: string;
  sendText(to: string, text: string, config?: MessageConfig): Promise<number>;
  sendPattern(to: string, seed: number, length: number, config?: MessageConfig): Promise<number>;
  /** Reliable messages sent in one task. */
  sendPatterns(to: string, seeds: number[], length: number): Promise<number[]>;
  sendResult(id: number): Promise<number>;
  receivedText(from: string, text: string): Promise<void>;
  receivedBytes(from: string, bytes: Uint8Array): Promise<void>;
  linkState(peer: string, state: 'p2p'): Promise<void>;
}

function pagePeer(page: SdkPage): Peer {
  return {
    uid: page.uid,
    sendText: (to, text, config) => page.sendText(to, text, config),
    sendPattern: (to, seed, length, config) => page.sendPattern(to, seed, length, config),
    sendPatterns: (to, seeds, length) => page.sendPatterns(to, seeds, length),
    sendResult: (id) => page.sendResult(id),
    // The page records long texts and every byte array as a digest.
    receivedText: async (from, text) => {
      const seen = text.length > 256 ? digest(text) : text;
      await page.wait('onMessageReceived', (f, t) => f === from && t === seen);
    },
    receivedBytes: async (from, bytes) => {
      await page.wait('onBinaryMessageReceived', (f, d) => f === from && d === digest(bytes));
    },
    linkState: (peer, state) => page.linkState(peer, state),
  };
}

function nodePeer(n: NodeUser): Peer {
  return {
    uid: n.uid,
    sendText: async (to, text, config) => n.rts.sendMessage(to, text, config),
    sendPattern: async (to, seed, length, config) => n.rts.sendBinaryMessage(to, pattern(seed, length), config),
    sendPatterns: async (to, seeds, length) => seeds.map((seed) => n.rts.sendBinaryMessage(to, pattern(seed, length))),
    sendResult: async (id) => (await n.log.wait('onMessageSendResult', (msgId) => msgId === id))[1] as number,
    receivedText: async (from, text) => {
      await n.log.wait('onMessageReceived', (f, t) => f === from && t === text);
    },
    receivedBytes: async (from, bytes) => {
      await n.log.wait('onBinaryMessageReceived', (f, b) => f === from && digest(asBytes(b)) === digest(bytes));
    },
    linkState: async (peer, state) => {
      await n.log.wait('onPeerLinkStateChanged', (uid, s) => uid === peer && s === state);
    },
  };
}

/** A 65,536-byte UTF-8 text (multi-byte characters included) that differs per sender. */
function maxText(seed: string): string {
  const base = `${seed}: grüße ✓ `;
  let s = '';
  while (new TextEncoder().encode(s + base).length <= MAX_MESSAGE_BYTES) s += base;
  return s + 'x'.repeat(MAX_MESSAGE_BYTES - new TextEncoder().encode(s).length);
}

/** Sends one message `from` → `to` and waits for its delivery and its Success result. */
async function deliver(from: Peer, to: Peer, what: { text: string } | { seed: number; length: number }, config?: MessageConfig): Promise<void> {
  if ('text' in what) {
    const id = await from.sendText(to.uid, what.text, config);
    await to.receivedText(from.uid, what.text);
    expect(await from.sendResult(id)).toBe(SUCCESS);
  } else {
    const id = await from.sendPattern(to.uid, what.seed, what.length, config);
    await to.receivedBytes(from.uid, pattern(what.seed, what.length));
    expect(await from.sendResult(id)).toBe(SUCCESS);
  }
}

/** Everything both ways over the P2P link between `a` and `b`, none of it through the server. */
async function exchangeOverP2P(a: Peer, b: Peer, relayed: () => number): Promise<void> {
  await a.linkState(b.uid, 'p2p');
  await b.linkState(a.uid, 'p2p');
  const before = relayed();
  for (const [from, to, seed] of [[a, b, 1], [b, a, 2]] as const) {
    await test.step(`${from.uid} → ${to.uid}`, async () => {
      await deliver(from, to, { text: `hello ${to.uid}, ${from.uid} here` });
      await deliver(from, to, { seed, length: 1000 });
      await deliver(from, to, { seed: seed + 10, length: MAX_MESSAGE_BYTES });
      await deliver(from, to, { text: maxText(from.uid) });
      // Sent in one task, three of them may share one data-channel message of ~192 KiB.
      const seeds = [seed + 40, seed + 41, seed + 42];
      const ids = await from.sendPatterns(to.uid, seeds, MAX_MESSAGE_BYTES);
      for (const s of seeds) await to.receivedBytes(from.uid, pattern(s, MAX_MESSAGE_BYTES));
      for (const id of ids) expect(await from.sendResult(id)).toBe(SUCCESS);
      await deliver(from, to, { text: `unreliable ordered from ${from.uid}` }, MessageConfig.UnreliableOrdered);
      await deliver(from, to, { seed: seed + 20, length: 4000 }, MessageConfig.UnreliableOrdered);
      await deliver(from, to, { text: `unreliable unordered from ${from.uid}` }, MessageConfig.UnreliableUnordered);
      await deliver(from, to, { seed: seed + 30, length: 4000 }, MessageConfig.UnreliableUnordered);
    });
  }
  expect(relayed(), 'messages the server relayed').toBe(before);
}

let node: NodeUser | undefined;
test.afterEach(() => {
  node?.destroy();
  node = undefined;
});

test('Firefox and Chromium link P2P and exchange text, binary, 64 KiB and unreliable messages both ways', async ({ signaling, openFirefox, openChromium }) => {
  const fox = await openFirefox('fox');
  const chrome = await openChromium('chrome');
  await fox.loginAndJoin(signaling.url, ROOM);
  await chrome.loginAndJoin(signaling.url, ROOM);
  await exchangeOverP2P(pagePeer(fox), pagePeer(chrome), () => signaling.stats().relayedMessages);
});

test('Firefox and a Node client (node-datachannel) link P2P and exchange text, binary, 64 KiB and unreliable messages both ways', async ({ signaling, openFirefox }) => {
  const fox = await openFirefox('fox');
  await fox.loginAndJoin(signaling.url, ROOM);
  node = await nodeUserInRoom(signaling.url, 'nodebot', ROOM);
  await exchangeOverP2P(pagePeer(fox), nodePeer(node), () => signaling.stats().relayedMessages);
});

test('a sender in a background Firefox tab with default timer clamping gets every send result', async ({ signaling }) => {
  // A Firefox of its own, with the defaults a real user has: background tabs clamp timers to 1 s.
  const browser = await launchFirefox({ clampBackgroundTimers: true });
  const errors: string[] = [];
  try {
    const sender = await openFirefoxTab(browser, signaling.url, 'behind', errors);
    const receiver = await openFirefoxTab(browser, signaling.url, 'front', errors);
    await receiver.page.bringToFront();
    expect(await sender.sdk.visibility()).toBe('hidden');
    expect(await receiver.sdk.visibility()).toBe('visible');

    await sender.sdk.loginAndJoin(signaling.url, ROOM);
    await receiver.sdk.loginAndJoin(signaling.url, ROOM);
    await sender.sdk.linkState('front', 'p2p');

    const texts = Array.from({ length: 20 }, (_, i) => `from the background tab #${i}`);
    const ids: number[] = [];
    for (const text of texts) ids.push(await sender.sdk.sendText('front', text));
    for (const id of ids) expect(await sender.sdk.sendResult(id), `result of message ${id}`).toBe(SUCCESS);
    await receiver.sdk.wait('onMessageReceived', (from, text) => from === 'behind' && text === texts.at(-1));
    const received = (await receiver.sdk.of('onMessageReceived')).filter(([from]) => from === 'behind').map(([, text]) => text);
    expect(received).toEqual(texts);
    expect(await sender.sdk.visibility(), 'the sender stayed in the background').toBe('hidden');
    await sender.sdk.destroy();
    await receiver.sdk.destroy();
  } finally {
    await browser.close();
  }
  expect(errors, 'uncaught exceptions in Firefox pages').toEqual([]);
});
