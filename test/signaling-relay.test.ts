// The fallback relay: relay:frame (one user) and relay:room (every other member). The sender is
// stamped by the server; limits and relationships are enforced on everything relayed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeFrames, encodeFrames, type Frame } from '../shared/frame.js';
import { collect, nextEvent, request, sleep, startTestServer, waitFor, type TestServer } from './helpers/server.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer({ dropGraceMs: 300 });
});
afterEach(async () => {
  await t.close();
});

type Relayed = { from: string; frame: Uint8Array };
const msg = (st: string, d: string | Uint8Array, extra: Partial<Frame> = {}): Frame => ({ t: 0, st, s: 1, d, ...extra }) as Frame;
const ack = (st: string, s = 1): Frame => ({ t: 1, st, s });
const frames = (ev: Relayed): Frame[] => {
  const r = decodeFrames(new Uint8Array(ev.frame));
  if (!r.ok) throw new Error(r.error);
  return r.frames;
};

describe('relay:frame', () => {
  it('delivers the frames byte for byte with the server-stamped sender, ignoring any claimed one', async () => {
    const alice = await t.login('alice');
    const bob = await t.login('bob');
    const got = nextEvent<Relayed>(bob.socket, 'relay:frame');
    const batch = encodeFrames([msg('u/', 'hello'), msg('u/', new Uint8Array([1, 2, 3]), { s: 2, b: 1 })]);
    // Fake senders in the request and inside a frame change nothing.
    const spoofed = encodeFrames([{ ...msg('u/', 'x', { s: 3 }), from: 'mallory' } as unknown as Frame]);
    expect(await request(alice.socket, 'relay:frame', { to: 'bob', frame: batch, from: 'mallory' })).toEqual({ code: 0 });
    const ev = await got;
    expect(ev.from).toBe('alice');
    expect(Buffer.from(ev.frame).equals(Buffer.from(batch))).toBe(true);
    expect(frames(ev).map((f) => (f.t === 0 ? (typeof f.d === 'string' ? f.d : [...f.d]) : null))).toEqual(['hello', [1, 2, 3]]);

    const second = nextEvent<Relayed>(bob.socket, 'relay:frame');
    expect(await request(alice.socket, 'relay:frame', { to: 'bob', frame: spoofed })).toEqual({ code: 0 });
    expect((await second).from).toBe('alice');
    expect(t.server.stats()).toMatchObject({ relayedMessages: 3, relayDeliveries: 3, relayedFrames: 3 });
  });

  it('refuses before login (105), an empty target (104), a bad or offline target (3)', async () => {
    const anon = await t.connect();
    const batch = encodeFrames([msg('u/', 'x')]);
    expect(await request(anon, 'relay:frame', { to: 'bob', frame: batch })).toEqual({ code: 105 });
    const alice = await t.login('alice');
    expect(await request(alice.socket, 'relay:frame', { to: '', frame: batch })).toEqual({ code: 104 });
    expect(await request(alice.socket, 'relay:frame', { to: 'bad uid', frame: batch })).toEqual({ code: 3 });
    expect(await request(alice.socket, 'relay:frame', { to: 'nobody', frame: batch })).toEqual({ code: 3 });
    expect(t.server.stats().relayedMessages).toBe(0);
  });

  it('answers NoRelayPath (4) for a target in its drop grace period', async () => {
    const alice = await t.login('alice');
    const bob = await t.login('bob');
    bob.socket.disconnect();
    await waitFor(async () => (await request<{ status: number }>(alice.socket, 'presence:query', { uid: 'bob' })).status === 2);
    expect(await request(alice.socket, 'relay:frame', { to: 'bob', frame: encodeFrames([msg('u/', 'x')]) })).toEqual({ code: 4 });
  });

  it('allows 65,536 bytes per message and refuses 65,537 with ExceedMaxLength (text UTF-8 and binary)', async () => {
    const alice = await t.login('alice');
    const bob = await t.login('bob');
    const received = collect<Relayed>(bob.socket, 'relay:frame');
    const send = (d: string | Uint8Array) => request(alice.socket, 'relay:frame', { to: 'bob', frame: encodeFrames([msg('u/', d)]) });
    expect(await send('a'.repeat(65_536))).toEqual({ code: 0 });
    expect(await send('a'.repeat(65_537))).toEqual({ code: 103 });
    expect(await send('é'.repeat(32_768))).toEqual({ code: 0 });
    expect(await send('é'.repeat(32_769))).toEqual({ code: 103 });
    expect(await send(new Uint8Array(65_536))).toEqual({ code: 0 });
    expect(await send(new Uint8Array(65_537))).toEqual({ code: 103 });
    // One oversized frame refuses the whole batch.
    const mixed = encodeFrames([msg('u/', 'ok'), msg('u/', 'a'.repeat(65_537), { s: 2 })]);
    expect(await request(alice.socket, 'relay:frame', { to: 'bob', frame: mixed })).toEqual({ code: 103 });
    await waitFor(() => received.length === 3);
    await sleep(50);
    expect(received).toHaveLength(3);
  });

  it('room user streams need both users in the room: sender 100, target 3', async () => {
    const [alice, bob] = await t.inRoom('room', 'alice', 'bob');
    const carol = (await t.login('carol')).socket;
    const got = nextEvent<Relayed>(bob, 'relay:frame');
    expect(await request(alice, 'relay:frame', { to: 'bob', frame: encodeFrames([msg('u/room', 'in room')]) })).toEqual({ code: 0 });
    expect(frames(await got)[0]).toMatchObject({ st: 'u/room', d: 'in room' });
    expect(await request(carol, 'relay:frame', { to: 'bob', frame: encodeFrames([msg('u/room', 'x')]) })).toEqual({ code: 100 });
    expect(await request(alice, 'relay:frame', { to: 'carol', frame: encodeFrames([msg('u/room', 'x')]) })).toEqual({ code: 3 });
    expect(await request(alice, 'relay:frame', { to: 'bob', frame: encodeFrames([msg('u/other', 'x')]) })).toEqual({ code: 100 });
  });

  it('carries broadcast-stream frames (retransmissions) and acks between room-mates only', async () => {
    const [alice, bob] = await t.inRoom('room', 'alice', 'bob');
    const carol = (await t.login('carol')).socket;
    const got = nextEvent<Relayed>(bob, 'relay:frame');
    expect(await request(alice, 'relay:frame', { to: 'bob', frame: encodeFrames([msg('b/room', 'again', { x: 1 })]) })).toEqual({ code: 0 });
    expect(frames(await got)[0]).toMatchObject({ st: 'b/room', x: 1 });
    const ackBack = nextEvent<Relayed>(alice, 'relay:frame');
    expect(await request(bob, 'relay:frame', { to: 'alice', frame: encodeFrames([ack('b/room')]) })).toEqual({ code: 0 });
    expect(frames(await ackBack)).toEqual([ack('b/room')]);
    expect(await request(carol, 'relay:frame', { to: 'alice', frame: encodeFrames([ack('b/room')]) })).toEqual({ code: 100 });
    // Acks are frames but not messages.
    expect(t.server.stats()).toMatchObject({ relayedMessages: 1, relayedFrames: 2 });
  });

  it('acks outside rooms need a prior P2P message between the pair', async () => {
    const alice = await t.login('alice');
    const bob = await t.login('bob');
    expect(await request(bob.socket, 'relay:frame', { to: 'alice', frame: encodeFrames([ack('u/')]) })).toEqual({ code: 3 });
    await request(alice.socket, 'relay:frame', { to: 'bob', frame: encodeFrames([msg('u/', 'hi')]) });
    expect(await request(bob.socket, 'relay:frame', { to: 'alice', frame: encodeFrames([ack('u/')]) })).toEqual({ code: 0 });
    expect(t.server.stats()).toMatchObject({ relayedMessages: 1, relayedFrames: 2 });
  });
});

describe('relay:room', () => {
  it('fans out to every other member, minus `except`, stamped with the sender', async () => {
    const [alice, bob, carol, dave] = await t.inRoom('room', 'alice', 'bob', 'carol', 'dave');
    const outsider = (await t.login('erin')).socket;
    const seen = {
      alice: collect<Relayed>(alice, 'relay:frame'),
      bob: collect<Relayed>(bob, 'relay:frame'),
      carol: collect<Relayed>(carol, 'relay:frame'),
      dave: collect<Relayed>(dave, 'relay:frame'),
      erin: collect<Relayed>(outsider, 'relay:frame'),
    };
    const batch = encodeFrames([msg('b/room', 'to all'), msg('b/room', 'and more', { s: 2 })]);
    expect(await request(alice, 'relay:room', { roomId: 'room', except: ['dave'], frame: batch, from: 'mallory' })).toEqual({ code: 0 });
    await waitFor(() => seen.bob.length === 1 && seen.carol.length === 1);
    await sleep(50);
    expect(seen.alice).toHaveLength(0);
    expect(seen.dave).toHaveLength(0);
    expect(seen.erin).toHaveLength(0);
    expect(seen.bob[0].from).toBe('alice');
    expect(frames(seen.carol[0]).map((f) => (f.t === 0 ? f.d : ''))).toEqual(['to all', 'and more']);
    expect(t.server.stats()).toMatchObject({ relayedMessages: 2, relayDeliveries: 4 });
  });

  it('refuses non-members (100), before login (105), oversized messages (103), foreign streams and acks (-2)', async () => {
    const [alice] = await t.inRoom('room', 'alice', 'bob');
    const carol = (await t.login('carol')).socket;
    const anon = await t.connect();
    const ok = encodeFrames([msg('b/room', 'x')]);
    expect(await request(carol, 'relay:room', { roomId: 'room', frame: ok })).toEqual({ code: 100 });
    expect(await request(anon, 'relay:room', { roomId: 'room', frame: ok })).toEqual({ code: 105 });
    expect(await request(alice, 'relay:room', { roomId: 'room', frame: encodeFrames([msg('b/room', 'a'.repeat(65_537))]) })).toEqual({ code: 103 });
    expect(await request(alice, 'relay:room', { roomId: 'room', frame: encodeFrames([msg('b/other', 'x')]) })).toEqual({ code: -2 });
    expect(await request(alice, 'relay:room', { roomId: 'room', frame: encodeFrames([msg('u/room', 'x')]) })).toEqual({ code: -2 });
    expect(await request(alice, 'relay:room', { roomId: 'room', frame: encodeFrames([ack('b/room')]) })).toEqual({ code: -2 });
    expect(await request(alice, 'relay:room', { roomId: 'bad room', frame: ok })).toEqual({ code: -2 });
    expect(t.server.stats().relayedMessages).toBe(0);
  });

  it('answers 0 when nobody else is in the room', async () => {
    const [alice] = await t.inRoom('room', 'alice');
    expect(await request(alice, 'relay:room', { roomId: 'room', frame: encodeFrames([msg('b/room', 'x')]) })).toEqual({ code: 0 });
    expect(t.server.stats()).toMatchObject({ relayedMessages: 1, relayDeliveries: 0 });
  });

  it('keeps per-sender order across a burst of relays', async () => {
    const [alice, bob] = await t.inRoom('room', 'alice', 'bob');
    const got = collect<Relayed>(bob, 'relay:frame');
    const sends: Promise<unknown>[] = [];
    for (let i = 1; i <= 50; i++) {
      const frame = encodeFrames([msg(i % 2 ? 'b/room' : 'u/room', String(i), { s: i })]);
      sends.push(i % 2 ? request(alice, 'relay:room', { roomId: 'room', frame }) : request(alice, 'relay:frame', { to: 'bob', frame }));
    }
    await Promise.all(sends);
    await waitFor(() => got.length === 50);
    expect(got.map((e) => (frames(e)[0] as { d: string }).d)).toEqual(Array.from({ length: 50 }, (_, i) => String(i + 1)));
  });
});
