// rtc:signal is forwarded only between users with a reason to connect: room-mates, or P2P
// contacts (one relayed a message outside rooms to the other).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrames } from '../shared/frame.js';
import { collect, nextEvent, request, sleep, startTestServer, waitFor, type TestServer } from './helpers/server.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer({ dropGraceMs: 300 });
});
afterEach(async () => {
  await t.close();
});

const offer = { type: 'offer', sdp: 'v=0\r\n' };

describe('rtc:signal', () => {
  it('is forwarded between room-mates, stamped with the sender', async () => {
    const alice = await t.login('alice');
    const bob = await t.login('bob');
    await request(alice.socket, 'room:join', { roomId: 'room' });
    await request(bob.socket, 'room:join', { roomId: 'room' });
    const got = nextEvent(bob.socket, 'rtc:signal');
    expect(await request(alice.socket, 'rtc:signal', { to: 'bob', signal: offer, from: 'mallory' })).toEqual({ code: 0 });
    expect(await got).toEqual({ from: 'alice', signal: offer });
    expect(t.server.stats().rtcSignals).toBe(1);
    expect(t.server.stats().relayedMessages).toBe(0);
  });

  it('is refused (3) between strangers and allowed once they became P2P contacts, both ways', async () => {
    const alice = await t.login('alice');
    const bob = await t.login('bob');
    const bobGot = collect(bob.socket, 'rtc:signal');
    expect(await request(alice.socket, 'rtc:signal', { to: 'bob', signal: offer })).toEqual({ code: 3 });
    expect(await request(bob.socket, 'rtc:signal', { to: 'alice', signal: offer })).toEqual({ code: 3 });
    await sleep(50);
    expect(bobGot).toEqual([]);

    const frame = encodeFrames([{ t: 0, st: 'u/', s: 1, d: 'hi' }]);
    expect(await request(alice.socket, 'relay:frame', { to: 'bob', frame })).toEqual({ code: 0 });
    expect(await request(alice.socket, 'rtc:signal', { to: 'bob', signal: offer })).toEqual({ code: 0 });
    const answer = nextEvent(alice.socket, 'rtc:signal');
    expect(await request(bob.socket, 'rtc:signal', { to: 'alice', signal: { type: 'answer', sdp: 'x' } })).toEqual({ code: 0 });
    expect(await answer).toEqual({ from: 'bob', signal: { type: 'answer', sdp: 'x' } });
    await waitFor(() => bobGot.length === 1);
  });

  it('forgets the relationship when a room-mate leaves or a contact logs out', async () => {
    const alice = await t.login('alice');
    const bob = await t.login('bob');
    await request(alice.socket, 'room:join', { roomId: 'room' });
    await request(bob.socket, 'room:join', { roomId: 'room' });
    await request(bob.socket, 'room:leave', { roomId: 'room' });
    expect(await request(alice.socket, 'rtc:signal', { to: 'bob', signal: offer })).toEqual({ code: 3 });

    await request(alice.socket, 'relay:frame', { to: 'bob', frame: encodeFrames([{ t: 0, st: 'u/', s: 1, d: 'x' }]) });
    await request(bob.socket, 'logout', {});
    await t.login('bob', { socket: bob.socket });
    expect(await request(alice.socket, 'rtc:signal', { to: 'bob', signal: offer })).toEqual({ code: 3 });
  });

  it('answers 105 before login, 104 for an empty target, 3 for an offline one, 4 during its grace', async () => {
    const anon = await t.connect();
    expect(await request(anon, 'rtc:signal', { to: 'bob', signal: offer })).toEqual({ code: 105 });
    const alice = await t.login('alice');
    const bob = await t.login('bob');
    await request(alice.socket, 'room:join', { roomId: 'room' });
    await request(bob.socket, 'room:join', { roomId: 'room' });
    expect(await request(alice.socket, 'rtc:signal', { to: '', signal: offer })).toEqual({ code: 104 });
    expect(await request(alice.socket, 'rtc:signal', { to: 'nobody', signal: offer })).toEqual({ code: 3 });
    bob.socket.disconnect();
    await waitFor(async () => (await request<{ status: number }>(alice.socket, 'presence:query', { uid: 'bob' })).status === 2);
    expect(await request(alice.socket, 'rtc:signal', { to: 'bob', signal: offer })).toEqual({ code: 4 });
  });

  it('keeps signals in order and caps floods with ExceedQPS', async () => {
    const alice = await t.login('alice');
    const bob = await t.login('bob');
    await request(alice.socket, 'room:join', { roomId: 'room' });
    await request(bob.socket, 'room:join', { roomId: 'room' });
    const got = collect<{ signal: { n: number } }>(bob.socket, 'rtc:signal');
    const replies = await Promise.all(
      Array.from({ length: 400 }, (_, n) => request<{ code: number }>(alice.socket, 'rtc:signal', { to: 'bob', signal: { n } })),
    );
    const passed = replies.filter((r) => r.code === 0).length;
    expect(passed).toBeGreaterThanOrEqual(200);
    expect(replies.some((r) => r.code === 5)).toBe(true);
    await waitFor(() => got.length === passed);
    const ns = got.map((g) => g.signal.n);
    expect(ns).toEqual([...ns].sort((a, b) => a - b));
  });

  it('refuses an oversized signal with -2', async () => {
    const alice = await t.login('alice');
    const bob = await t.login('bob');
    await request(alice.socket, 'room:join', { roomId: 'room' });
    await request(bob.socket, 'room:join', { roomId: 'room' });
    expect(await request(alice.socket, 'rtc:signal', { to: 'bob', signal: { sdp: 'x'.repeat(70_000) } })).toEqual({ code: -2 });
  });
});
