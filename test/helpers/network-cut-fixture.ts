// Run inside a network namespace by test/network-link-cut.test.ts: one engine on real WebRTC in
// a room with one peer. The sender streams reliable user messages every 20 ms until the file
// named by CONTROL holds "stop"; the receiver prints every message it gets. JSON lines on stdout,
// each with `t` = Date.now() (the test compares them with the times it cut and restored the wire):
//   {"ev":"path","state":...,"linkId":...}   onPeerLinkStateChanged for the peer (+ getPeerLinkStats)
//   {"ev":"m","i":...}                        a message arrived (receiver)
//   {"ev":"results","sent":n,"codes":{...}}   every message has its result (sender, after stop)
// Environment: ROLE (sender|receiver), UID, PEER, SERVER, STACK, CONTROL, LINK_TIMEOUT_MS, and
// WAIT_P2P=0 to start streaming as soon as the peer is in the room (a link may never come).
import { existsSync, readFileSync } from 'node:fs';
import { createRTS, exponentialBackoff, type Logger } from '../../client/index.js';
import { createToken } from '../../shared/token.js';
import { requiredEnv } from './fixture-env.js';
import { TEST_APP_ID, TEST_APP_KEY } from './server.js';

const env = requiredEnv;
const role = env('ROLE');
const uid = env('UID');
const peer = env('PEER');
const out = (o: { ev: string } & Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ ...o, t: Date.now() })}\n`);
};
const quiet: Logger = {
  warn: () => undefined,
  error: (m) => process.stderr.write(`${m}\n`),
  ...(process.env.DEBUG_LINKS ? { debug: (m: string) => process.stderr.write(`${m}\n`) } : {}),
};

const rts = createRTS(TEST_APP_ID, {
  onPeerLinkStateChanged(who, state) {
    if (who !== peer) return;
    const t = Date.now();
    void rts.getPeerLinkStats(peer).then((s) => out({ ev: 'path', state, at: t, linkId: s?.linkId, iceRestarts: s?.iceRestarts, candidateType: s?.candidateType, remoteCandidateType: s?.remoteCandidateType }));
  },
}, {
  server: env('SERVER'),
  webrtc: env('STACK') as 'wrtc' | 'node-datachannel',
  logger: quiet,
  reconnect: exponentialBackoff({ initialMs: 100, maxMs: 500 }),
  ...(process.env.LINK_TIMEOUT_MS ? { linkTimeoutMs: Number(process.env.LINK_TIMEOUT_MS) } : {}),
});
const loggedIn = new Promise<void>((resolve, reject) => {
  rts.on('onLoginResult', (_u, code) => (code === 0 ? resolve() : reject(new Error(`login ${code}`))));
});
rts.login(createToken({ appId: TEST_APP_ID, appKey: TEST_APP_KEY, userId: uid }), uid);
await loggedIn;
const room = rts.createRoom('netcut')!;
let peerJoined: () => void = () => undefined;
const joined = new Promise<void>((resolve) => {
  peerJoined = resolve;
});
room.setRTSRoomDelegate({
  onUserMessageReceived(from, text) {
    if (from === peer) out({ ev: 'm', i: Number(text.slice(1)) });
  },
  onUserJoined(info) {
    if (info.uid === peer) peerJoined();
  },
});
const linked = new Promise<void>((resolve) => {
  rts.on('onPeerLinkStateChanged', (who, state) => {
    if (who === peer && state === 'p2p') resolve();
  });
});
room.joinRoom();
await joined;
if (process.env.WAIT_P2P !== '0') await linked;

const stopped = (): boolean => existsSync(env('CONTROL')) && readFileSync(env('CONTROL'), 'utf8').includes('stop');
if (role === 'sender') {
  const codes = new Map<number, number>();
  let sent = 0;
  let done = false;
  const report = (): void => {
    if (!done || codes.size < sent) return;
    const tally: Record<string, number> = {};
    for (const c of codes.values()) tally[c] = (tally[c] ?? 0) + 1;
    out({ ev: 'results', sent, codes: tally });
  };
  room.on('onUserMessageSendResult', (id, code) => {
    codes.set(id, code);
    report();
  });
  while (!stopped()) {
    room.sendUserMessage(peer, `m${sent++}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  done = true;
  report();
}
