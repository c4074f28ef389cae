// Room membership (SPEC §9): join/leave events both ways, rejoin announces again, bad ids,
// extraInfo size, room tokens, and the same uid joining from another session (-1004).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, nextEvent, request, sleep, startTestServer, TEST_APP_ID, type TestServer } from './helpers/server.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer({ dropGraceMs: 300 });
});
afterEach(async () => {
  await t.close();
});

type Join = { code: number; members: { uid: string; extraInfo: string }[] };

describe('room:join / room:leave', () => {
  it('the newcomer gets the members already present, they get room:user-joined for it', async () => {
    const alice = await t.login('alice');
    const bob = await t.login('bob');
    const carol = await t.login('carol');
    expect(await request<Join>(alice.socket, 'room:join', { roomId: 'room', extraInfo: '{"a":1}' })).toEqual({ code: 0, members: [] });

    const aliceSees = nextEvent(alice.socket, 'room:user-joined');
    const bobJoin = await request<Join>(bob.socket, 'room:join', { roomId: 'room', extraInfo: 'b' });
    expect(bobJoin).toEqual({ code: 0, members: [{ uid: 'alice', extraInfo: '{"a":1}' }] });
    expect(await aliceSees).toEqual({ roomId: 'room', uid: 'bob', extraInfo: 'b' });

    const seenByAlice = nextEvent(alice.socket, 'room:user-joined');
    const seenByBob = nextEvent(bob.socket, 'room:user-joined');
    const carolOwn = collect(carol.socket, 'room:user-joined');
    const carolJoin = await request<Join>(carol.socket, 'room:join', { roomId: 'room' });
    expect(carolJoin.members).toEqual([{ uid: 'alice', extraInfo: '{"a":1}' }, { uid: 'bob', extraInfo: 'b' }]);
    expect(await seenByAlice).toEqual({ roomId: 'room', uid: 'carol', extraInfo: '' });
    expect(await seenByBob).toEqual({ roomId: 'room', uid: 'carol', extraInfo: '' });
    await sleep(50);
    expect(carolOwn).toEqual([]); // nobody is told about themselves
  });

  it('leave is announced at once with reason Quit; leaving a room one is not in gives 100', async () => {
    const alice = await t.login('alice');
    const bob = await t.login('bob');
    await request(alice.socket, 'room:join', { roomId: 'room' });
    await request(bob.socket, 'room:join', { roomId: 'room' });
    const left = nextEvent(alice.socket, 'room:user-left');
    expect(await request(bob.socket, 'room:leave', { roomId: 'room' })).toEqual({ code: 0 });
    expect(await left).toEqual({ roomId: 'room', uid: 'bob', reason: 0 });
    expect(await request(bob.socket, 'room:leave', { roomId: 'room' })).toEqual({ code: 100 });
    expect(await request(bob.socket, 'room:leave', { roomId: 'never' })).toEqual({ code: 100 });
    // Alice's room now lists only her.
    expect((await request<Join>(alice.socket, 'room:join', { roomId: 'room', rejoin: true })).members).toEqual([]);
  });

  it('a rejoin announces the user again to the others', async () => {
    const alice = await t.login('alice');
    const bob = await t.login('bob');
    await request(alice.socket, 'room:join', { roomId: 'room' });
    await request(bob.socket, 'room:join', { roomId: 'room', extraInfo: 'v1' });
    const again = nextEvent(alice.socket, 'room:user-joined');
    const reply = await request<Join>(bob.socket, 'room:join', { roomId: 'room', extraInfo: 'v2', rejoin: true });
    expect(reply).toEqual({ code: 0, members: [{ uid: 'alice', extraInfo: '' }] });
    expect(await again).toEqual({ roomId: 'room', uid: 'bob', extraInfo: 'v2' });
  });

  it('refuses bad room ids with -1007, oversized extraInfo with -2, and needs a login (-1001)', async () => {
    const alice = await t.login('alice');
    for (const roomId of ['', 'a b', 'x/y', 'r'.repeat(129)]) {
      expect((await request<Join>(alice.socket, 'room:join', { roomId })).code).toBe(-1007);
    }
    expect((await request<Join>(alice.socket, 'room:join', { roomId: 'room', extraInfo: 'x'.repeat(200) })).code).toBe(0);
    expect((await request<Join>(alice.socket, 'room:join', { roomId: 'room2', extraInfo: 'x'.repeat(201) })).code).toBe(-2);
    expect((await request<Join>(alice.socket, 'room:join', { roomId: 'room3', extraInfo: 'é'.repeat(101) })).code).toBe(-2);
    const anon = await t.connect();
    expect((await request<Join>(anon, 'room:join', { roomId: 'room' })).code).toBe(-1001);
    expect(await request(anon, 'room:leave', { roomId: 'room' })).toEqual({ code: 105 });
  });

  it('a room token only lets its session join that room', async () => {
    const scoped = await t.login('alice', { token: t.token('alice', { roomId: 'only-here' }) });
    expect((await request<Join>(scoped.socket, 'room:join', { roomId: 'only-here' })).code).toBe(0);
    expect((await request<Join>(scoped.socket, 'room:join', { roomId: 'elsewhere' })).code).toBe(-1000);
    const star = await t.login('bob', { token: t.token('bob', { roomId: '*' }) });
    expect((await request<Join>(star.socket, 'room:join', { roomId: 'anywhere' })).code).toBe(0);
  });

  it('a user in several rooms gets events of each room with the right roomId', async () => {
    const alice = await t.login('alice');
    const bob = await t.login('bob');
    await request(alice.socket, 'room:join', { roomId: 'r1' });
    await request(alice.socket, 'room:join', { roomId: 'r2' });
    const joined = collect<{ roomId: string; uid: string }>(alice.socket, 'room:user-joined');
    await request(bob.socket, 'room:join', { roomId: 'r2' });
    await request(bob.socket, 'room:leave', { roomId: 'r2' });
    await request(bob.socket, 'room:join', { roomId: 'r1' });
    await sleep(50);
    expect(joined).toEqual([
      { roomId: 'r2', uid: 'bob', extraInfo: '' },
      { roomId: 'r1', uid: 'bob', extraInfo: '' },
    ]);
  });

  it('the same uid joining from another live session kicks the earlier membership with -1004', async () => {
    // Only reachable across processes or races: here the "other process" is simulated by a store
    // write plus a raw socket placed in that session's socket.io rooms, as its process would.
    const alice = await t.login('alice');
    await request(alice.socket, 'room:join', { roomId: 'room' });
    const elsewhere = await t.connect();
    await t.server.store.putMember(TEST_APP_ID, 'room', { uid: 'bob', sessionId: 'other-process-session', extraInfo: '', joinedAt: Date.now() });
    t.server.io.in(elsewhere.id!).socketsJoin([`session:${TEST_APP_ID}other-process-session`, `room:${TEST_APP_ID}room`]);
    const closed = nextEvent(elsewhere, 'room:closed');

    const bob = await t.login('bob');
    const reply = await request<Join>(bob.socket, 'room:join', { roomId: 'room' });
    expect(reply).toEqual({ code: 0, members: [{ uid: 'alice', extraInfo: '' }] });
    expect(await closed).toEqual({ roomId: 'room', code: -1004 });
    expect((await t.server.store.getMember(TEST_APP_ID, 'room', 'bob'))?.sessionId).toBe(bob.sessionId);
    // The kicked session no longer receives the room's events.
    const after = collect(elsewhere, 'room:user-joined');
    await t.login('carol').then((c) => request(c.socket, 'room:join', { roomId: 'room' }));
    await sleep(50);
    expect(after).toEqual([]);
  });
});
