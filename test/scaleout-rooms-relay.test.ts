// SPEC §11: rooms, the relay, WebRTC signaling and P2Server work across signaling processes
// sharing one Redis, with members spread over three processes.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeFrames, encodeFrames, type Frame } from '../shared/frame.js';
import { useRedisClusters, type Cluster } from './helpers/scaleout.js';
import { collect, nextEvent, request, sleep, startHttpServer, waitFor, type ClientSocket } from './helpers/server.js';

const clusters = useRedisClusters();
let cluster: Cluster;

type Relayed = { from: string; frame: Uint8Array };
type Joined = { roomId: string; uid: string; extraInfo: string };
const msg = (st: string, d: string | Uint8Array, s = 1): Frame => ({ t: 0, st, s, d }) as Frame;
const texts = (ev: Relayed): unknown[] => {
  const r = decodeFrames(new Uint8Array(ev.frame));
  if (!r.ok) throw new Error(r.error);
  return r.frames.map((f) => (f.t === 0 ? (typeof f.d === 'string' ? f.d : [...f.d]) : null));
};

/** alice on node 0, bob on node 1, carol on node 2, all in `roomId` (joined in that order). */
async function threeInRoom(roomId: string): Promise<Record<'alice' | 'bob' | 'carol', ClientSocket>> {
  const [a, b, c] = cluster.nodes;
  const alice = (await a.login('alice')).socket;
  const bob = (await b.login('bob')).socket;
  const carol = (await c.login('carol')).socket;
  for (const s of [alice, bob, carol]) expect((await request(s, 'room:join', { roomId, extraInfo: 'x' })).code).toBe(0);
  return { alice, bob, carol };
}

describe('scale-out: rooms across processes', () => {
  it('join and leave events and member lists span the processes', async () => {
    cluster = await clusters.start(3);
    const [a, b, c] = cluster.nodes;
    const alice = (await a.login('alice')).socket;
    const bob = (await b.login('bob')).socket;
    const carol = (await c.login('carol')).socket;

    expect(await request(alice, 'room:join', { roomId: 'r', extraInfo: 'A' })).toEqual({ code: 0, members: [] });
    const aliceSawBob = nextEvent<Joined>(alice, 'room:user-joined');
    expect(await request(bob, 'room:join', { roomId: 'r', extraInfo: 'B' })).toEqual({ code: 0, members: [{ uid: 'alice', extraInfo: 'A' }] });
    expect(await aliceSawBob).toEqual({ roomId: 'r', uid: 'bob', extraInfo: 'B' });

    const seenByAlice = nextEvent<Joined>(alice, 'room:user-joined');
    const seenByBob = nextEvent<Joined>(bob, 'room:user-joined');
    const joined = await request<{ code: number; members: unknown[] }>(carol, 'room:join', { roomId: 'r', extraInfo: 'C' });
    expect(joined.members).toEqual([{ uid: 'alice', extraInfo: 'A' }, { uid: 'bob', extraInfo: 'B' }]);
    expect((await seenByAlice).uid).toBe('carol');
    expect((await seenByBob).uid).toBe('carol');

    const leftA = nextEvent(alice, 'room:user-left');
    const leftC = nextEvent(carol, 'room:user-left');
    expect(await request(bob, 'room:leave', { roomId: 'r' })).toEqual({ code: 0 });
    expect(await leftA).toEqual({ roomId: 'r', uid: 'bob', reason: 0 });
    expect(await leftC).toEqual({ roomId: 'r', uid: 'bob', reason: 0 });
    expect(await request(bob, 'room:leave', { roomId: 'r' })).toEqual({ code: 100 });
    expect((await a.server.store.listMembers(a.appId, 'r')).map((m) => m.uid)).toEqual(['alice', 'carol']);
  });

  it('a dropped member is announced Dropped to room-mates on other processes after the grace', async () => {
    cluster = await clusters.start(2, { dropGraceMs: 500 });
    const [a, b] = cluster.nodes;
    const alice = (await a.login('alice')).socket;
    const bob = (await b.login('bob')).socket;
    await request(alice, 'room:join', { roomId: 'r' });
    await request(bob, 'room:join', { roomId: 'r' });
    const left = nextEvent(bob, 'room:user-left');
    alice.disconnect();
    expect(await left).toEqual({ roomId: 'r', uid: 'alice', reason: 1 });
  });
});

describe('scale-out: relay across processes', () => {
  it('relay:frame reaches a user on another process, stamped with the authenticated sender', async () => {
    cluster = await clusters.start(2);
    const [a, b] = cluster.nodes;
    const alice = (await a.login('alice')).socket;
    const bob = (await b.login('bob')).socket;
    const batch = encodeFrames([msg('u/', 'hello'), msg('u/', new Uint8Array([1, 2, 3]), 2)]);
    const got = nextEvent<Relayed>(bob, 'relay:frame');
    expect(await request(alice, 'relay:frame', { to: 'bob', frame: batch, from: 'mallory' })).toEqual({ code: 0 });
    const ev = await got;
    expect(ev.from).toBe('alice');
    expect(Buffer.from(ev.frame).equals(Buffer.from(batch))).toBe(true);
    expect(texts(ev)).toEqual(['hello', [1, 2, 3]]);

    // The message made them contacts across processes: bob may now answer with acks.
    const back = nextEvent<Relayed>(alice, 'relay:frame');
    expect(await request(bob, 'relay:frame', { to: 'alice', frame: encodeFrames([{ t: 1, st: 'u/', s: 2 }]) })).toEqual({ code: 0 });
    expect((await back).from).toBe('bob');
    expect(await request(alice, 'relay:frame', { to: 'nobody', frame: batch })).toEqual({ code: 3 });
  });

  it('keeps per-sender order of many frames across processes', async () => {
    cluster = await clusters.start(2);
    const [a, b] = cluster.nodes;
    const alice = (await a.login('alice')).socket;
    const bob = (await b.login('bob')).socket;
    const seen = collect<Relayed>(bob, 'relay:frame');
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) => request(alice, 'relay:frame', { to: 'bob', frame: encodeFrames([msg('u/', `m${i}`, i + 1)]) })),
    );
    expect(replies.every((r) => r.code === 0)).toBe(true);
    await waitFor(() => seen.length === 40, 5000, '40 frames');
    expect(seen.map((ev) => texts(ev)[0])).toEqual(Array.from({ length: 40 }, (_, i) => `m${i}`));
  });

  it('relay:room fans out to members on every process except the sender and `except`', async () => {
    cluster = await clusters.start(3);
    const { alice, bob, carol } = await threeInRoom('r');
    const bobGot = collect<Relayed>(bob, 'relay:frame');
    const carolGot = collect<Relayed>(carol, 'relay:frame');
    const aliceGot = collect<Relayed>(alice, 'relay:frame');

    expect(await request(alice, 'relay:room', { roomId: 'r', frame: encodeFrames([msg('b/r', 'to all')]) })).toEqual({ code: 0 });
    await waitFor(() => bobGot.length === 1 && carolGot.length === 1, 5000, 'broadcast on two processes');
    expect(bobGot[0].from).toBe('alice');
    expect(texts(carolGot[0])).toEqual(['to all']);

    expect(await request(bob, 'relay:room', { roomId: 'r', except: ['carol'], frame: encodeFrames([msg('b/r', 'not carol')]) })).toEqual({ code: 0 });
    await waitFor(() => aliceGot.length === 1, 5000, 'alice got bob broadcast');
    expect(aliceGot[0].from).toBe('bob');
    await sleep(200);
    expect(carolGot).toHaveLength(1);
    expect(bobGot).toHaveLength(1);

    // In-room user messages need both in the room, checked in the shared store.
    const direct = nextEvent<Relayed>(carol, 'relay:frame');
    expect(await request(bob, 'relay:frame', { to: 'carol', frame: encodeFrames([msg('u/r', 'psst')]) })).toEqual({ code: 0 });
    expect((await direct).from).toBe('bob');
    await request(carol, 'room:leave', { roomId: 'r' });
    expect(await request(bob, 'relay:frame', { to: 'carol', frame: encodeFrames([msg('u/r', 'gone?', 2)]) })).toEqual({ code: 3 });
  });

  it('rtc:signal crosses processes for room-mates, and only for related users', async () => {
    cluster = await clusters.start(3);
    const { alice, carol } = await threeInRoom('mesh');
    const offer = { type: 'offer', sdp: 'v=0 fake' };
    const got = nextEvent<{ from: string; signal: unknown }>(carol, 'rtc:signal');
    expect(await request(alice, 'rtc:signal', { to: 'carol', signal: offer })).toEqual({ code: 0 });
    expect(await got).toEqual({ from: 'alice', signal: offer });
    const answer = nextEvent<{ from: string; signal: unknown }>(alice, 'rtc:signal');
    expect(await request(carol, 'rtc:signal', { to: 'alice', signal: { type: 'answer', sdp: 'v=0' } })).toEqual({ code: 0 });
    expect((await answer).from).toBe('carol');

    const [, , c] = cluster.nodes;
    const stranger = (await c.login('dave')).socket;
    expect(await request(stranger, 'rtc:signal', { to: 'alice', signal: offer })).toEqual({ code: 3 });
  });
});

describe('scale-out: P2Server across processes', () => {
  it('the process holding the socket posts to the app server with params set before a move to another process', async () => {
    const posted: unknown[] = [];
    const app = await startHttpServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        posted.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('pong');
      });
    });
    try {
      // The app server listens on loopback: allowed explicitly (issue 10 refuses it by default).
      cluster = await clusters.start(2, { p2server: { allowPrivateTargets: true } });
      const [a, b] = cluster.nodes;
      const sessionId = randomUUID();
      const first = await a.login('alice', { sessionId });
      expect(await request(first.socket, 'server:params', { signature: 'sig', url: `${app.url}/hook` })).toEqual({ code: 200 });
      expect(await request(first.socket, 'server:message', { msgId: 1, data: 'from A' })).toEqual({ code: 0, body: 'pong' });

      // The client reconnects to the other process with its session: the params came along.
      first.socket.disconnect();
      const moved = await b.login('alice', { sessionId });
      expect(await request(moved.socket, 'server:message', { msgId: 2, data: 'from B' })).toEqual({ code: 0, body: 'pong' });
      expect(posted).toEqual([
        expect.objectContaining({ message: 'from A', userId: 'alice', signature: 'sig', messageId: 1 }),
        expect.objectContaining({ message: 'from B', userId: 'alice', signature: 'sig', messageId: 2 }),
      ]);
      expect(b.server.stats().serverMessages).toBe(1);
    } finally {
      await app.close();
    }
  });
});
