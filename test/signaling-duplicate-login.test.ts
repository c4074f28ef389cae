// SPEC §9: the same uid logging in again logs the earlier session out (DuplicateLogin); the
// displaced session cannot come back and kick the new one; a same-session re-login resumes.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, nextEvent, request, sleep, startTestServer, TEST_APP_ID, waitFor, type TestServer } from './helpers/server.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer({ dropGraceMs: 300 });
});
afterEach(async () => {
  await t.close();
});

describe('duplicate login', () => {
  it('kicks the earlier session: room:closed -1004 per room, then session:kicked reason 1, then a server disconnect', async () => {
    const first = await t.login('alice');
    const bob = await t.login('bob');
    await request(first.socket, 'room:join', { roomId: 'r1' });
    await request(first.socket, 'room:join', { roomId: 'r2' });
    await request(bob.socket, 'room:join', { roomId: 'r1' });

    const order: string[] = [];
    const closed = collect<{ roomId: string; code: number }>(first.socket, 'room:closed');
    first.socket.on('room:closed', () => order.push('room:closed'));
    first.socket.on('session:kicked', () => order.push('session:kicked'));
    const disconnected = new Promise<string>((r) => first.socket.on('disconnect', (reason) => r(reason)));
    const kicked = nextEvent<{ reason: number }>(first.socket, 'session:kicked');
    const bobSawLeave = nextEvent<{ roomId: string; uid: string; reason: number }>(bob.socket, 'room:user-left');

    const second = await t.login('alice');
    expect(await kicked).toEqual({ reason: 1 });
    expect(closed.map((c) => c.code)).toEqual([-1004, -1004]);
    expect(closed.map((c) => c.roomId).sort()).toEqual(['r1', 'r2']);
    expect(order).toEqual(['room:closed', 'room:closed', 'session:kicked']);
    expect(await disconnected).toBe('io server disconnect');
    expect(await bobSawLeave).toEqual({ roomId: 'r1', uid: 'alice', reason: 0 });

    // The room no longer lists the old membership; the new session is online.
    expect(await request(bob.socket, 'presence:query', { uid: 'alice' })).toEqual({ code: 0, status: 1 });
    const join = await request<{ code: number; members: unknown[] }>(bob.socket, 'room:join', { roomId: 'r1', rejoin: true });
    expect(join.members).toEqual([]);
    expect(second.reply.code).toBe(0);
  });

  it('refuses a later login with the displaced sessionId and does not kick the newer session', async () => {
    const first = await t.login('alice');
    const second = await t.login('alice');
    await waitFor(() => !first.socket.connected, 3000, 'old socket disconnected');
    const newerKicked = collect(second.socket, 'session:kicked');

    const retry = await t.connect();
    const reply = await request(retry, 'login', { appId: TEST_APP_ID, uid: 'alice', token: t.token('alice'), sessionId: first.sessionId });
    expect(reply).toEqual({ code: -1001, displaced: true });
    await sleep(100);
    expect(newerKicked).toEqual([]);
    expect(second.socket.connected).toBe(true);
    expect(await request(second.socket, 'presence:query', { uid: 'alice' })).toEqual({ code: 0, status: 1 });
  });

  it('resumes a same-session login on a new socket without a kick, keeping rooms and announcing nothing as left', async () => {
    const sessionId = randomUUID();
    const first = await t.login('alice', { sessionId });
    const bob = await t.login('bob');
    await request(first.socket, 'room:join', { roomId: 'room' });
    await request(bob.socket, 'room:join', { roomId: 'room' });
    const kicked = collect(first.socket, 'session:kicked');
    const bobLeft = collect(bob.socket, 'room:user-left');

    // A reconnect before the server noticed the old socket died.
    const resumed = await t.login('alice', { sessionId });
    expect(resumed.reply.code).toBe(0);
    await waitFor(() => !first.socket.connected, 3000, 'stale socket closed');
    expect(kicked).toEqual([]);

    // The resumed socket still receives room traffic without rejoining.
    const joined = nextEvent<{ uid: string }>(resumed.socket, 'room:user-joined');
    await request(bob.socket, 'room:join', { roomId: 'room', rejoin: true });
    expect((await joined).uid).toBe('bob');
    await sleep(450); // longer than dropGraceMs: the stale socket's disconnect must not drop alice
    expect(bobLeft).toEqual([]);
    expect(await request(bob.socket, 'presence:query', { uid: 'alice' })).toEqual({ code: 0, status: 1 });
  });

  it('resumes within the drop grace period after a disconnect', async () => {
    const sessionId = randomUUID();
    const first = await t.login('alice', { sessionId });
    const bob = await t.login('bob');
    await request(first.socket, 'room:join', { roomId: 'room' });
    await request(bob.socket, 'room:join', { roomId: 'room' });
    const bobLeft = collect(bob.socket, 'room:user-left');
    first.socket.disconnect();
    await waitFor(async () => (await request<{ status: number }>(bob.socket, 'presence:query', { uid: 'alice' })).status === 2);
    const again = await t.login('alice', { sessionId });
    expect(again.reply.code).toBe(0);
    await sleep(450);
    expect(bobLeft).toEqual([]);
    expect(await request(bob.socket, 'presence:query', { uid: 'alice' })).toEqual({ code: 0, status: 1 });
  });

  it('a second login on the same socket under another uid logs the first identity out', async () => {
    const { socket } = await t.login('alice');
    const bob = await t.login('bob');
    await request(socket, 'room:join', { roomId: 'room' });
    await request(bob.socket, 'room:join', { roomId: 'room' });
    const left = nextEvent<{ uid: string; reason: number }>(bob.socket, 'room:user-left');
    await t.login('carol', { socket });
    expect(await left).toMatchObject({ uid: 'alice', reason: 0 });
    expect(await request(bob.socket, 'presence:query', { uid: 'alice' })).toEqual({ code: 0, status: 0 });
    expect(await request(bob.socket, 'presence:query', { uid: 'carol' })).toEqual({ code: 0, status: 1 });
  });
});
