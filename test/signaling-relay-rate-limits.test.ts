// SPEC §5 rates on the relay: P2P 100/s, room broadcasts 65/s per sender, 100/s per room;
// over them ExceedQPS (5) and nothing is delivered. Buckets allow limit + 10% as a burst, so a
// client keeping its own one-second window is never refused. Resent frames (x:1) cost the same.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrames, type Frame } from '../shared/frame.js';
import { collect, request, sleep, startTestServer, waitFor, type ClientSocket, type TestServer } from './helpers/server.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  await t.close();
});

const msg = (st: string, s: number, extra: Partial<Frame> = {}): Uint8Array => encodeFrames([{ t: 0, st, s, d: `m${s}`, ...extra } as Frame]);
const codes = (replies: { code: number }[]) => replies.map((r) => r.code);

async function burst(socket: ClientSocket, n: number, send: (i: number) => [string, unknown]): Promise<number[]> {
  const all: Promise<{ code: number }>[] = [];
  for (let i = 1; i <= n; i++) {
    const [event, payload] = send(i);
    all.push(request(socket, event, payload));
  }
  return codes(await Promise.all(all));
}

describe('relay rate limits', () => {
  it('P2P: 100 in a burst pass, a flood beyond 100/s gets ExceedQPS and is not delivered', async () => {
    const alice = (await t.login('alice')).socket;
    const bob = (await t.login('bob')).socket;
    const got = collect(bob, 'relay:frame');
    const result = await burst(alice, 300, (i) => ['relay:frame', { to: 'bob', frame: msg('u/', i) }]);
    expect(result.slice(0, 100).every((c) => c === 0)).toBe(true);
    const passed = result.filter((c) => c === 0).length;
    expect(result.filter((c) => c === 5).length).toBeGreaterThan(0);
    expect(result.every((c) => c === 0 || c === 5)).toBe(true);
    await waitFor(() => got.length === passed);
    await sleep(50);
    expect(got).toHaveLength(passed);
    expect(t.server.stats().relayedMessages).toBe(passed);
    expect(t.server.stats().relayExceedQps).toBe(300 - passed);
  });

  it('P2P budget is per sender and refills over time', async () => {
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map(async (u) => (await t.login(u)).socket));
    const result = await burst(alice, 250, (i) => ['relay:frame', { to: 'bob', frame: msg('u/', i) }]);
    expect(result).toContain(5);
    expect(await request(carol, 'relay:frame', { to: 'bob', frame: msg('u/', 1) })).toEqual({ code: 0 });
    await sleep(300);
    expect(await request(alice, 'relay:frame', { to: 'bob', frame: msg('u/', 999) })).toEqual({ code: 0 });
    expect(bob.connected).toBe(true);
  });

  it('retransmissions (x:1) cost the P2P budget like first sends; acks do not use it', async () => {
    const alice = (await t.login('alice')).socket;
    const bob = (await t.login('bob')).socket;
    const result = await burst(alice, 250, (i) => ['relay:frame', { to: 'bob', frame: msg('u/', i) }]);
    expect(result).toContain(5);
    // Retransmissions right after: the same, spent budget (issue 10: x:1 was a bypass).
    const resent = await burst(alice, 150, (i) => ['relay:frame', { to: 'bob', frame: msg('u/', i, { x: 1 }) }]);
    expect(resent.filter((c) => c === 5).length).toBeGreaterThan(100);
    const ack = encodeFrames([{ t: 1, st: 'u/', s: 5 }]);
    expect(await request(alice, 'relay:frame', { to: 'bob', frame: ack })).toEqual({ code: 0 });
    expect(await request(bob, 'relay:frame', { to: 'alice', frame: ack })).toEqual({ code: 0 });
  });

  it('room broadcasts: 65 in a burst pass, more per sender get ExceedQPS', async () => {
    const [alice, bob] = await t.inRoom('room', 'alice', 'bob');
    const got = collect(bob, 'relay:frame');
    const result = await burst(alice, 200, (i) => ['relay:room', { roomId: 'room', frame: msg('b/room', i) }]);
    expect(result.slice(0, 65).every((c) => c === 0)).toBe(true);
    expect(result).toContain(5);
    const passed = result.filter((c) => c === 0).length;
    await waitFor(() => got.length === passed);
    expect(t.server.stats().relayedMessages).toBe(passed);
    expect(t.server.stats().relayExceedQps).toBe(200 - passed);
  });

  it('all messages in one room: 100/s across senders, each under its own 65/s', async () => {
    const senders = await t.inRoom('room', 'a1', 'a2', 'a3', 'a4');
    const results = await Promise.all(
      senders.map((s) => burst(s, 64, (i) => ['relay:room', { roomId: 'room', frame: msg('b/room', i) }])),
    );
    const all = results.flat();
    const passed = all.filter((c) => c === 0).length;
    expect(passed).toBeGreaterThanOrEqual(100);
    expect(all).toContain(5);
    // Another room is not affected.
    const [other] = await t.inRoom('elsewhere', 'b1');
    expect(await request(other, 'relay:room', { roomId: 'elsewhere', frame: msg('b/elsewhere', 1) })).toEqual({ code: 0 });
  });

  it('uses configured limits and reports them at login', async () => {
    await t.close();
    t = await startTestServer({ limits: { p2pPerSecond: 5 } });
    const alice = await t.login('alice');
    await t.login('bob');
    expect(alice.reply.limits?.p2pPerSecond).toBe(5);
    const result = await burst(alice.socket, 20, (i) => ['relay:frame', { to: 'bob', frame: msg('u/', i) }]);
    expect(result.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(result.filter((c) => c === 0).length).toBeLessThan(12);
  });
});
