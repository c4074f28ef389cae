// SPEC §11: Redis going away briefly (and coming back empty: no persistence) crashes no process,
// turns requests into error replies instead of false successes, and afterwards everything works
// again: the processes write their sessions and memberships back and the adapter resumes.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrames, encodeFrames, type Frame } from '../shared/frame.js';
import { stopAllProcesses } from './helpers/processes.js';
import { startRedis, type RedisServer } from './helpers/redis.js';
import { startCluster, type Cluster } from './helpers/scaleout.js';
import { collect, request, sleep, TEST_APP_ID, TEST_APP_KEY, waitFor, type ClientSocket } from './helpers/server.js';

let redis: RedisServer;
let cluster: Cluster;

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await cluster?.close();
  await redis.start(); // a failed test may have left it down
});
afterAll(async () => {
  await redis?.stop();
  await stopAllProcesses();
});

const METRICS_TOKEN = 'redis-restart-metrics';
type Relayed = { from: string; frame: Uint8Array };
const msg = (st: string, s: number): Frame => ({ t: 0, st, s, d: `m${s}` });
const seqs = (events: Relayed[]): number[] =>
  events.flatMap((ev) => {
    const r = decodeFrames(new Uint8Array(ev.frame));
    return r.ok ? r.frames.map((f) => f.s ?? 0) : [];
  });
const status = async (socket: ClientSocket, uid: string): Promise<number> =>
  (await request<{ status: number }>(socket, 'presence:query', { uid })).status;

describe('scale-out: Redis restarts', () => {
  it('survives Redis being down, replies errors meanwhile, then works again with the same sessions and rooms', async () => {
    cluster = await startCluster(redis.url, 2, { dropGraceMs: 10_000, metricsToken: METRICS_TOKEN });
    const [a, b] = cluster.nodes;
    const alice = (await a.login('alice')).socket;
    const bob = (await b.login('bob')).socket;
    await request(alice, 'room:join', { roomId: 'r', extraInfo: 'A' });
    await request(bob, 'room:join', { roomId: 'r', extraInfo: 'B' });

    await redis.kill();
    // Nothing may report success for what it could not do; nobody is disconnected.
    // Relays: NetworkDisconnected, which the client treats as passing and resends.
    expect(await request(alice, 'relay:frame', { to: 'bob', frame: encodeFrames([msg('u/r', 1)]) })).toEqual({ code: 2 });
    expect(await request(bob, 'relay:room', { roomId: 'r', frame: encodeFrames([msg('b/r', 1)]) })).toEqual({ code: 2 });
    expect(await request(bob, 'rtc:signal', { to: 'alice', signal: { type: 'offer' } })).toEqual({ code: 2 });
    const newcomer = await b.connect();
    expect((await request(newcomer, 'login', { appId: TEST_APP_ID, uid: 'carol', token: b.token('carol'), sessionId: 'carol-session-1' })).code).toBe(-1003);
    expect((await request<{ code: number }>(bob, 'presence:query', { uid: 'alice' })).code).toBe(1000);
    const rest = await fetch(`${a.url}/api/v1/users/alice/status`, { headers: { authorization: `Bearer ${TEST_APP_KEY}` } });
    expect(rest.status).toBe(500);
    expect((await fetch(`${a.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
    await sleep(600); // a few failed heartbeats
    expect(alice.connected && bob.connected).toBe(true);

    await redis.start();
    // The heartbeat writes presence and membership back into the empty Redis.
    await waitFor(async () => (await status(bob, 'alice')) === 1 && (await status(alice, 'bob')) === 1, 8000, 'both online again');
    expect((await b.server.store.listMembers(TEST_APP_ID, 'r')).map((m) => [m.uid, m.extraInfo]).sort()).toEqual([['alice', 'A'], ['bob', 'B']]);

    // Routing works again in both directions, in and outside the room.
    const bobGot = collect<Relayed>(bob, 'relay:frame');
    const aliceGot = collect<Relayed>(alice, 'relay:frame');
    await waitFor(async () => (await request<{ code: number }>(alice, 'relay:frame', { to: 'bob', frame: encodeFrames([msg('u/r', 2)]) })).code === 0, 8000, 'relay accepted');
    await waitFor(() => bobGot.length > 0, 5000, 'bob got the frame');
    expect((await request(bob, 'relay:room', { roomId: 'r', frame: encodeFrames([msg('b/r', 2)]) })).code).toBe(0);
    await waitFor(() => aliceGot.length > 0, 5000, 'alice got the broadcast');
    expect(aliceGot[0].from).toBe('bob');

    // New logins and duplicate logins across processes work too.
    const carol = await a.login('carol');
    const kicked = new Promise<string>((r) => carol.socket.on('disconnect', (reason) => r(reason)));
    await b.login('carol');
    expect(await kicked).toBe('io server disconnect');
  });

  it('never reports Success for a relayed frame that did not arrive, across a Redis restart', async () => {
    cluster = await startCluster(redis.url, 2, { dropGraceMs: 10_000 });
    const [a, b] = cluster.nodes;
    const alice = (await a.login('alice')).socket;
    const bob = (await b.login('bob')).socket;
    const got = collect<Relayed>(bob, 'relay:frame');
    // Contacts first (a message outside rooms), so every later frame is a plain relayed message.
    expect((await request(alice, 'relay:frame', { to: 'bob', frame: encodeFrames([msg('u/', 1)]) })).code).toBe(0);

    const acked: number[] = [];
    const refused: number[] = [];
    let stop = false;
    const sender = (async () => {
      for (let s = 2; !stop; s++) {
        const reply = await request<{ code: number }>(alice, 'relay:frame', { to: 'bob', frame: encodeFrames([msg('u/', s)]) }).catch(() => ({ code: -999 }));
        (reply.code === 0 ? acked : refused).push(s);
        await sleep(15);
      }
    })();
    await sleep(300);
    await redis.kill();
    await sleep(500);
    await redis.start();
    await waitFor(() => acked.length > 0 && acked[acked.length - 1] > (refused[refused.length - 1] ?? 0) + 5, 10_000, 'relay flowing again');
    stop = true;
    await sender;
    await sleep(300);

    expect(refused.length).toBeGreaterThan(0); // the outage was seen
    const received = new Set(seqs(got));
    expect(acked.filter((s) => !received.has(s))).toEqual([]);
  });

  it('answers NetworkDisconnected (2), never Success, when Redis refuses to carry an event to the other processes', async () => {
    cluster = await startCluster(redis.url, 2);
    const [a, b] = cluster.nodes;
    const alice = (await a.login('alice')).socket;
    const bob = (await b.login('bob')).socket;
    await request(alice, 'room:join', { roomId: 'r' });
    await request(bob, 'room:join', { roomId: 'r' });
    const got = collect<Relayed>(bob, 'relay:frame');
    const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    admin.on('error', () => {});
    const stream = `${cluster.keyPrefix}socket.io`;
    try {
      // The shared state still answers (every check passes) but the adapter's XADD fails.
      await admin.multi().del(stream).set(stream, 'not a stream').exec();
      expect(await request(alice, 'relay:frame', { to: 'bob', frame: encodeFrames([msg('u/r', 1)]) })).toEqual({ code: 2 });
      expect(await request(alice, 'relay:room', { roomId: 'r', frame: encodeFrames([msg('b/r', 1)]) })).toEqual({ code: 2 });
      expect(await request(alice, 'rtc:signal', { to: 'bob', signal: { type: 'offer', sdp: 'x' } })).toEqual({ code: 2 });
      const rest = await fetch(`${b.url}/api/v1/users/alice/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_APP_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'hi' }),
      });
      expect(rest.status).toBe(503);
      expect((await rest.json()).code).toBe('unavailable');

      await admin.del(stream);
      expect(await request(alice, 'relay:frame', { to: 'bob', frame: encodeFrames([msg('u/r', 2)]) })).toEqual({ code: 0 });
      await waitFor(() => seqs(got).includes(2), 5000, 'frame 2 delivered');
      expect(seqs(got)).toEqual([2]);
    } finally {
      admin.disconnect();
    }
  });
});
