// Run inside a network namespace by bench/failover.ts: the baseline side of the failover figure.
// A raw simple-peer link on the same Node stack as the SDK (no heartbeat, no SDK), signaled
// through the signaling server's rtc:signal by a raw socket.io client in the same room. Prints
// JSON lines with `t` = Date.now(): {"ev":"ice","state":...} for every ICE state change, and
// {"ev":"connect"} once the channel is open (it then sends a small message every 20 ms). Environment: UID, PEER, SERVER, STACK.
import { randomUUID } from 'node:crypto';
import SimplePeer from 'simple-peer';
import { io } from 'socket.io-client';
import { resolveWebRTC } from '../../client/peer/webrtc-impl.js';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import { socketParser } from '../../shared/socket-parser.js';
import { createToken } from '../../shared/token.js';
import { TEST_APP_ID, TEST_APP_KEY } from '../../test/helpers/server.js';

const uid = process.env.UID!;
const peerUid = process.env.PEER!;
const out = (o: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ ...o, t: Date.now() })}\n`);
};
const wrtc = await resolveWebRTC(process.env.STACK as 'wrtc' | 'node-datachannel');
const socket = io(process.env.SERVER!, { transports: ['websocket'], reconnection: false, parser: socketParser });
const ask = (event: string, payload: unknown): Promise<{ code: number; members?: Array<{ uid: string }> }> =>
  socket.timeout(10_000).emitWithAck(event as never, payload as never) as never;
await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
const login = await ask('login', { appId: TEST_APP_ID, uid, token: createToken({ appId: TEST_APP_ID, appKey: TEST_APP_KEY, userId: uid }), sessionId: randomUUID(), protocol: PROTOCOL_VERSION });
if (login.code !== 0) throw new Error(`login ${login.code}`);

let peer: SimplePeer.Instance | null = null;
const makePeer = (initiator: boolean): SimplePeer.Instance => {
  const p = new SimplePeer({ initiator, trickle: true, config: { iceServers: [] }, wrtc: wrtc as SimplePeer.Options['wrtc'] });
  p.on('signal', (signal) => void ask('rtc:signal', { to: peerUid, signal }));
  p.on('iceStateChange', (state: string) => out({ ev: 'ice', state }));
  p.on('connect', () => {
    out({ ev: 'connect' });
    // A live stream, as in the SDK run: one small message every 20 ms.
    const timer = setInterval(() => {
      try {
        p.send('x');
      } catch {
        clearInterval(timer);
      }
    }, 20);
    p.once('close', () => clearInterval(timer));
  });
  p.on('error', (e: Error) => out({ ev: 'error', message: e.message }));
  return p;
};
socket.on('rtc:signal', (ev: { from: string; signal: SimplePeer.SignalData }) => {
  if (ev.from !== peerUid) return;
  peer ??= makePeer(false);
  peer.signal(ev.signal);
});
const initiate = (): void => {
  if (uid < peerUid) peer ??= makePeer(true);
};
socket.on('room:user-joined', (ev: { uid: string }) => {
  if (ev.uid === peerUid) initiate();
});
const joined = await ask('room:join', { roomId: 'raw-failover' });
if (joined.members?.some((m) => m.uid === peerUid)) initiate();
process.once('SIGTERM', () => {
  peer?.destroy();
  socket.disconnect();
  process.exit(0);
});
