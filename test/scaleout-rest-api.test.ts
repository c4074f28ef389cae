// SPEC §8 + §11: the app-server REST API called on any process acts on users connected to
// another process: send, room-user send, broadcast, status, room users, kick, dismiss.
import { describe, expect, it } from 'vitest';
import { encodeFrames } from '../shared/frame.js';
import { useRedisClusters, type Cluster } from './helpers/scaleout.js';
import { collect, nextEvent, request, sleep, TEST_APP_ID, TEST_APP_KEY, waitFor, type ClientSocket } from './helpers/server.js';

const clusters = useRedisClusters();
let cluster: Cluster;

const auth = { authorization: `Bearer ${TEST_APP_KEY}`, 'x-app-id': TEST_APP_ID };

/** Calls the REST API of process B (the users below are connected to A and C). */
async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${cluster.nodes[1].url}/api/v1/${path}`, {
    method,
    headers: { ...auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

type AppMessage = { from: string; kind: string; roomId?: string; data: unknown };

/** alice on process A, carol on process C, both in room 'r'. */
async function setUp(): Promise<{ alice: ClientSocket; carol: ClientSocket }> {
  cluster = await clusters.start(3);
  const [a, , c] = cluster.nodes;
  const alice = (await a.login('alice')).socket;
  const carol = (await c.login('carol')).socket;
  await request(alice, 'room:join', { roomId: 'r', extraInfo: 'alice-info' });
  await request(carol, 'room:join', { roomId: 'r', extraInfo: 'carol-info' });
  return { alice, carol };
}

describe('scale-out: REST API on another process', () => {
  it('sends to a user, to a user in a room and to a room, and reads status and members', async () => {
    const { alice, carol } = await setUp();

    const toUser = nextEvent<AppMessage>(alice, 'app:message');
    expect(await api('POST', 'users/alice/messages', { message: 'hi alice', from: 'backend' })).toEqual({ status: 200, json: { ok: true } });
    expect(await toUser).toEqual({ from: 'backend', kind: 'user', data: 'hi alice' });

    const toRoomUser = nextEvent<AppMessage>(carol, 'app:message');
    expect((await api('POST', 'rooms/r/users/carol/messages', { message: Buffer.from([7, 8]).toString('base64'), binary: true })).status).toBe(200);
    const roomUser = await toRoomUser;
    expect(roomUser).toMatchObject({ from: 'server', kind: 'room-user', roomId: 'r' });
    expect([...new Uint8Array(roomUser.data as ArrayBuffer)]).toEqual([7, 8]);

    const aliceGot = nextEvent<AppMessage>(alice, 'app:message');
    const carolGot = nextEvent<AppMessage>(carol, 'app:message');
    expect(await api('POST', 'rooms/r/messages', { message: 'to the room' })).toEqual({ status: 200, json: { ok: true, members: 2 } });
    expect((await aliceGot).data).toBe('to the room');
    expect((await carolGot).kind).toBe('room');

    expect(await api('GET', 'users/alice/status')).toEqual({ status: 200, json: { uid: 'alice', status: 1 } });
    expect(await api('GET', 'users/zed/status')).toEqual({ status: 200, json: { uid: 'zed', status: 0 } });
    expect(await api('GET', 'rooms/r/users')).toEqual({
      status: 200,
      json: { roomId: 'r', users: [{ uid: 'alice', extraInfo: 'alice-info' }, { uid: 'carol', extraInfo: 'carol-info' }] },
    });
    expect(await api('POST', 'users/zed/messages', { message: 'x' })).toMatchObject({ status: 404, json: { code: 'user_offline' } });
  });

  it('kick removes a user held by another process: -1006 to it, KickedByAdmin to the others, socket out of the room', async () => {
    const { alice, carol } = await setUp();
    const closed = nextEvent(alice, 'room:closed');
    const carolSaw = nextEvent(carol, 'room:user-left');
    expect(await api('POST', 'rooms/r/users/alice/kick')).toEqual({ status: 200, json: { ok: true } });
    expect(await closed).toEqual({ roomId: 'r', code: -1006 });
    expect(await carolSaw).toEqual({ roomId: 'r', uid: 'alice', reason: 3 });
    expect(await api('POST', 'rooms/r/users/alice/kick')).toMatchObject({ status: 404, json: { code: 'not_in_room' } });

    // The socket on process A left the socket.io room: room traffic no longer reaches it.
    const aliceGot = collect(alice, 'app:message');
    const carolGot = nextEvent(carol, 'app:message');
    await api('POST', 'rooms/r/messages', { message: 'after kick' });
    await carolGot;
    await sleep(200);
    expect(aliceGot).toEqual([]);

    // Process A's heartbeat must not write the kicked membership back.
    await sleep(3 * 250 + 200);
    expect((await api('GET', 'rooms/r/users')).json.users).toEqual([{ uid: 'carol', extraInfo: 'carol-info' }]);
  });

  it('dismiss closes the room for members on every process and empties it', async () => {
    const { alice, carol } = await setUp();
    const closedA = nextEvent(alice, 'room:closed');
    const closedC = nextEvent(carol, 'room:closed');
    expect(await api('POST', 'rooms/r/dismiss')).toEqual({ status: 200, json: { ok: true, members: 2 } });
    expect(await closedA).toEqual({ roomId: 'r', code: -1011 });
    expect(await closedC).toEqual({ roomId: 'r', code: -1011 });
    await sleep(3 * 250 + 200);
    expect((await api('GET', 'rooms/r/users')).json.users).toEqual([]);
    await waitFor(async () => (await cluster.nodes[0].server.store.counts()).rooms === 0, 3000, 'room count 0');
    expect(await request(alice, 'relay:room', { roomId: 'r', frame: encodeFrames([{ t: 0, st: 'b/r', s: 1, d: 'x' }]) })).toEqual({ code: 100 });
  });
});
