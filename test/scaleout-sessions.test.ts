// SPEC §11: several signaling processes sharing one Redis behave as one server for logins,
// duplicate logins, resumes and presence, whichever process each client reached.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { useRedisClusters, type Cluster } from './helpers/scaleout.js';
import { collect, nextEvent, request, sleep, TEST_APP_ID, waitFor } from './helpers/server.js';

const clusters = useRedisClusters();
let cluster: Cluster;

describe('scale-out: sessions across processes', () => {
  it('runs with the redis store and shares presence: online, unreachable in the drop grace, offline after it', async () => {
    cluster = await clusters.start(2);
    const [a, b] = cluster.nodes;
    expect(a.server.storeKind).toBe('redis');
    expect(a.server.nodeId).not.toBe(b.server.nodeId);

    const alice = await a.login('alice');
    const bob = await b.login('bob');
    expect(await request(bob.socket, 'presence:query', { uid: 'alice' })).toEqual({ code: 0, status: 1 });
    expect(await request(alice.socket, 'presence:query', { uid: 'bob' })).toEqual({ code: 0, status: 1 });
    expect(await request(alice.socket, 'presence:query', { uid: 'nobody' })).toEqual({ code: 0, status: 0 });

    alice.socket.disconnect();
    await waitFor(async () => (await request<{ status: number }>(bob.socket, 'presence:query', { uid: 'alice' })).status === 2, 5000, 'alice unreachable');
    await waitFor(async () => (await request<{ status: number }>(bob.socket, 'presence:query', { uid: 'alice' })).status === 0, 5000, 'alice offline');
  });

  it('duplicate login on another process kicks the earlier session there: room:closed -1004, session:kicked, server disconnect', async () => {
    cluster = await clusters.start(2);
    const [a, b] = cluster.nodes;
    const first = await a.login('alice');
    const carol = await a.login('carol');
    expect((await request(first.socket, 'room:join', { roomId: 'lobby' })).code).toBe(0);
    expect((await request(carol.socket, 'room:join', { roomId: 'lobby' })).code).toBe(0);

    const order: string[] = [];
    first.socket.on('room:closed', (ev) => order.push(`room:closed ${ev.roomId} ${ev.code}`));
    first.socket.on('session:kicked', (ev) => order.push(`session:kicked ${ev.reason}`));
    const disconnected = new Promise<string>((r) => first.socket.on('disconnect', (reason) => r(reason)));
    const carolSawQuit = nextEvent<{ uid: string; reason: number }>(carol.socket, 'room:user-left');

    const second = await b.login('alice');
    expect(await disconnected).toBe('io server disconnect');
    expect(order).toEqual(['room:closed lobby -1004', 'session:kicked 1']);
    expect(await carolSawQuit).toEqual({ roomId: 'lobby', uid: 'alice', reason: 0 });
    expect(await request(carol.socket, 'presence:query', { uid: 'alice' })).toEqual({ code: 0, status: 1 });

    // The displaced session cannot come back on either process.
    for (const node of [a, b]) {
      const retry = await node.connect();
      expect(await request(retry, 'login', { appId: TEST_APP_ID, uid: 'alice', token: node.token('alice'), sessionId: first.sessionId }))
        .toEqual({ code: -1001, displaced: true });
    }
    expect(second.socket.connected).toBe(true);
  });

  it('concurrent logins of one uid on two processes leave exactly one session', async () => {
    cluster = await clusters.start(2);
    const [a, b] = cluster.nodes;
    for (let round = 0; round < 3; round++) {
      const uid = `racer${round}`;
      const [sx, sy] = await Promise.all([a.connect(), b.connect()]);
      const kicks = [collect(sx, 'session:kicked'), collect(sy, 'session:kicked')];
      const [x, y] = await Promise.all([a.login(uid, { socket: sx }), b.login(uid, { socket: sy })]);
      await waitFor(() => x.socket.connected !== y.socket.connected, 5000, 'one of the two kicked');
      const winner = x.socket.connected ? x : y;
      // The loser was told why, whichever process it was on.
      expect(kicks[x === winner ? 1 : 0]).toEqual([{ reason: 1 }]);
      expect(kicks[x === winner ? 0 : 1]).toEqual([]);
      const record = await a.server.store.getSession(TEST_APP_ID, uid);
      expect(record?.sessionId).toBe(winner.sessionId);
      expect(await request(winner.socket, 'presence:query', { uid })).toEqual({ code: 0, status: 1 });
    }
  });

  it('a client that reconnects to another process with the same sessionId resumes: rooms kept, nobody told it left', async () => {
    cluster = await clusters.start(2, { dropGraceMs: 1500 });
    const [a, b] = cluster.nodes;
    const sessionId = randomUUID();
    const alice = await a.login('alice', { sessionId });
    const bob = await b.login('bob');
    await request(alice.socket, 'room:join', { roomId: 'r' });
    await request(bob.socket, 'room:join', { roomId: 'r' });
    const bobLeft = collect(bob.socket, 'room:user-left');

    alice.socket.disconnect();
    await waitFor(async () => (await request<{ status: number }>(bob.socket, 'presence:query', { uid: 'alice' })).status === 2, 5000, 'alice in drop grace');
    const resumed = await b.login('alice', { sessionId });
    expect(resumed.reply.code).toBe(0);

    // Still a member: bob's broadcast reaches the resumed socket without a rejoin.
    const got = nextEvent<{ from: string }>(resumed.socket, 'app:message');
    const res = await fetch(`${a.url}/api/v1/rooms/r/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.appKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'still here?' }),
    });
    expect(res.status).toBe(200);
    expect((await got).from).toBe('server');
    // Past process A's drop grace: its timer must not drop the session that moved to B.
    await sleep(2000);
    expect(bobLeft).toEqual([]);
    expect(await request(bob.socket, 'presence:query', { uid: 'alice' })).toEqual({ code: 0, status: 1 });
    expect((await a.server.store.getSession(TEST_APP_ID, 'alice'))?.nodeId).toBe(b.server.nodeId);
  });

  it('logout on one process ends the session for all: room-mates elsewhere see Quit, presence offline', async () => {
    cluster = await clusters.start(2);
    const [a, b] = cluster.nodes;
    const alice = await a.login('alice');
    const bob = await b.login('bob');
    await request(alice.socket, 'room:join', { roomId: 'r' });
    await request(bob.socket, 'room:join', { roomId: 'r' });
    const left = nextEvent(bob.socket, 'room:user-left');
    expect(await request(alice.socket, 'logout', {})).toEqual({ code: 0 });
    expect(await left).toEqual({ roomId: 'r', uid: 'alice', reason: 0 });
    expect(await request(bob.socket, 'presence:query', { uid: 'alice' })).toEqual({ code: 0, status: 0 });
    expect(await b.server.store.listMembers(TEST_APP_ID, 'r')).toEqual([expect.objectContaining({ uid: 'bob' })]);
  });

  it('close() ends every Redis connection, timer and socket of the process', async () => {
    const admin = new Redis(clusters.redis().url);
    admin.on('error', () => {});
    const ours = async (): Promise<number> => ((await admin.client('LIST')) as string).split('\n').filter((l) => / name=rtsmesh-/.test(l)).length;
    const handles = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'TCPSocketWrap').length;
    try {
      await waitFor(async () => (await ours()) === 0, 5000, 'earlier clusters gone');
      const before = handles();
      cluster = await clusters.start(2);
      const alice = await cluster.nodes[0].login('alice');
      await request(alice.socket, 'room:join', { roomId: 'r' });
      // Per process: the store and publish clients, the adapter's stream reader and subscriber.
      expect(await ours()).toBe(8);
      await cluster.close();
      await waitFor(async () => (await ours()) === 0, 5000, 'no rtsmesh connection left in Redis');
      await waitFor(() => handles() <= before, 5000, `timers and sockets back to ${before}`);
    } finally {
      admin.disconnect();
    }
  });
});
