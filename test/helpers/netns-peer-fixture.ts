// Run inside a network namespace by test/mesh-link-cut-netns.test.ts: one engine on real WebRTC
// that joins a room with one peer and, as the sender, streams COUNT reliable user messages to it
// (as the receiver, checks what arrives). Reports as JSON lines on stdout:
//   {"ev":"path","state":...}       onPeerLinkStateChanged for the peer
//   {"ev":"sent","n":...}           every 100 messages handed to the SDK (sender)
//   {"ev":"results","codes":{...}}  once every message has its result (sender)
//   {"ev":"received",...}           once COUNT messages arrived: count, in order, unique (receiver)
//   {"ev":"after","code"|"text":...} a message sent / received once the link is back
// Environment: ROLE (sender|receiver), UID, PEER, SERVER (url), STACK, COUNT.
import { createRTS, exponentialBackoff, type Logger } from '../../client/index.js';
import { createToken } from '../../shared/token.js';
import { requiredEnv } from './fixture-env.js';
import { TEST_APP_ID, TEST_APP_KEY } from './server.js';

const env = requiredEnv;
const role = env('ROLE');
const uid = env('UID');
const peer = env('PEER');
const count = Number(env('COUNT'));
const started = Date.now();
/** One event line; `t` = ms since the fixture started (for reading a failed run). */
const out = (o: { ev: string } & Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ ...o, t: Date.now() - started })}\n`);
};
const quiet: Logger = { warn: () => undefined, error: (m) => process.stderr.write(`${m}\n`) };

let linkedOnce = false;
let sawRelay = false;
let back: () => void = () => undefined;
/** Resolves when the peer is on p2p again after having been on relay. */
const backAgain = new Promise<void>((resolve) => {
  back = resolve;
});
const rts = createRTS(TEST_APP_ID, {
  onPeerLinkStateChanged(who, state) {
    if (who !== peer) return;
    out({ ev: 'path', state });
    // 'relay' before the first 'p2p' is just the link layer loading; what counts is a fall back.
    if (state === 'relay' && linkedOnce) sawRelay = true;
    if (state === 'p2p' && sawRelay) back();
    if (state === 'p2p') linkedOnce = true;
  },
}, {
  server: env('SERVER'),
  webrtc: env('STACK') as 'wrtc' | 'node-datachannel',
  logger: quiet,
  reconnect: exponentialBackoff({ initialMs: 100, maxMs: 500 }),
});
const loggedIn = new Promise<void>((resolve, reject) => {
  rts.on('onLoginResult', (_u, code) => (code === 0 ? resolve() : reject(new Error(`login ${code}`))));
});
rts.login(createToken({ appId: TEST_APP_ID, appKey: TEST_APP_KEY, userId: uid }), uid);
await loggedIn;
const room = rts.createRoom('netns')!;
const received: string[] = [];
room.setRTSRoomDelegate({
  onUserMessageReceived(from, text) {
    if (from !== peer) return;
    if (text === 'after') {
      out({ ev: 'after', text });
      return;
    }
    received.push(text);
    if (received.length === count) {
      const numbers = received.map((t) => Number(t.slice(1)));
      out({
        ev: 'received',
        count: received.length,
        unique: new Set(numbers).size,
        inOrder: numbers.every((n, i) => n === i),
      });
    }
  },
});
const linked = new Promise<void>((resolve) => {
  rts.on('onPeerLinkStateChanged', (who, state) => {
    if (who === peer && state === 'p2p') resolve();
  });
});
room.joinRoom();
await linked;

if (role === 'sender') {
  const codes = new Map<number, number>();
  room.on('onUserMessageSendResult', (id, code) => {
    codes.set(id, code);
    if (codes.size === count) {
      const tally: Record<string, number> = {};
      for (const c of codes.values()) tally[c] = (tally[c] ?? 0) + 1;
      out({ ev: 'results', codes: tally });
    }
  });
  for (let i = 0; i < count; i++) {
    room.sendUserMessage(peer, `m${i}`);
    if (i % 100 === 99) out({ ev: 'sent', n: i + 1 });
    if (i % 25 === 24) await new Promise((r) => setTimeout(r, 100));
  }
  await backAgain;
  const id = room.sendUserMessage(peer, 'after');
  room.on('onUserMessageSendResult', (m, code) => {
    if (m === id) out({ ev: 'after', code });
  });
}
