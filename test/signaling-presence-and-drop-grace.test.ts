// Presence (login state, not room state) and the drop grace period of SPEC §9.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, nextEvent, request, sleep, startTestServer, waitFor, type TestServer } from './helpers/server.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer({ dropGraceMs: 300 });
});
afterEach(async () => {
  await t.close();
});

type Presence = { code: number; status: number };

describe('presence:query', () => {
  it('reports online, offline and self', async () => {
    const alice = await t.login('alice');
    await t.login('bob');
    expect(await request(alice.socket, 'presence:query', { uid: 'bob' })).toEqual({ code: 0, status: 1 });
    expect(await request(alice.socket, 'presence:query', { uid: 'alice' })).toEqual({ code: 0, status: 1 });
    expect(await request(alice.socket, 'presence:query', { uid: 'nobody' })).toEqual({ code: 0, status: 0 });
  });

  it('refuses a bad uid with -1002 and a query before login with 105', async () => {
    const alice = await t.login('alice');
    expect(await request(alice.socket, 'presence:query', { uid: 'bad uid' })).toEqual({ code: -1002, status: 0 });
    const anon = await t.connect();
    expect(await request(anon, 'presence:query', { uid: 'alice' })).toEqual({ code: 105, status: 0 });
  });
});

describe('drop grace period', () => {
  it('a dropped user is Unreachable during the grace, then announced as Dropped and Offline', async () => {
    const alice = await t.login('alice');
    const bob = await t.login('bob');
    await request(alice.socket, 'room:join', { roomId: 'room' });
    await request(bob.socket, 'room:join', { roomId: 'room' });
    const left = collect<{ roomId: string; uid: string; reason: number }>(alice.socket, 'room:user-left');

    bob.socket.disconnect();
    await waitFor(async () => (await request<Presence>(alice.socket, 'presence:query', { uid: 'bob' })).status === 2, 2000, 'Unreachable');
    expect(left).toEqual([]); // not announced during the grace

    await waitFor(() => left.length > 0, 3000, 'Dropped');
    expect(left).toEqual([{ roomId: 'room', uid: 'bob', reason: 1 }]);
    expect(await request(alice.socket, 'presence:query', { uid: 'bob' })).toEqual({ code: 0, status: 0 });
    expect((await request<{ members: unknown[] }>(alice.socket, 'room:join', { roomId: 'room', rejoin: true })).members).toEqual([]);
  });

  it('a resuming login within the grace cancels the drop; a later one is a fresh login', async () => {
    const alice = await t.login('alice');
    const bob = await t.login('bob');
    await request(alice.socket, 'room:join', { roomId: 'room' });
    await request(bob.socket, 'room:join', { roomId: 'room' });
    const left = collect(alice.socket, 'room:user-left');
    bob.socket.disconnect();
    await sleep(100);
    const back = await t.login('bob', { sessionId: bob.sessionId });
    await sleep(500);
    expect(left).toEqual([]);

    // The resumed socket is still in the room: a rejoin is announced, and room frames would reach it.
    const rejoined = nextEvent(alice.socket, 'room:user-joined');
    await request(back.socket, 'room:join', { roomId: 'room', rejoin: true });
    expect(await rejoined).toMatchObject({ uid: 'bob' });

    back.socket.disconnect();
    await waitFor(() => left.length === 1, 3000, 'Dropped');
    const fresh = await t.login('bob', { sessionId: bob.sessionId });
    expect(fresh.reply.code).toBe(0);
    expect((await request<{ members: { uid: string }[] }>(fresh.socket, 'room:join', { roomId: 'room', rejoin: true })).members.map((m) => m.uid)).toEqual(['alice']);
  });

  it('logout is not a drop: Quit at once and Offline', async () => {
    const alice = await t.login('alice');
    const bob = await t.login('bob');
    await request(alice.socket, 'room:join', { roomId: 'room' });
    await request(bob.socket, 'room:join', { roomId: 'room' });
    const left = nextEvent(alice.socket, 'room:user-left');
    await request(bob.socket, 'logout', {});
    expect(await left).toEqual({ roomId: 'room', uid: 'bob', reason: 0 });
    expect(await request(alice.socket, 'presence:query', { uid: 'bob' })).toEqual({ code: 0, status: 0 });
    expect(t.server.stats().pendingDrops).toBe(0);
  });
});
