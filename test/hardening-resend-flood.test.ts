// Issue 10, rate limits: a frame marked as a resend (x:1) is charged to the budgets SPEC §5 names
// like any other (P2P 100/s, broadcasts 65/s per sender, 100/s per room). A flood of "resends"
// gets ExceedQPS (5) and reaches the receivers no faster than the limits allow; a batch of
// nothing but resends over budget goes out up to the budget less a reserve kept for first sends,
// so an honest backlog still drains without starving new messages.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeFrames, encodeFrames, type Frame } from '../shared/frame.js';
import { collect, request, sleep, startTestServer, waitFor, type ClientSocket, type TestServer } from './helpers/server.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
});
afterEach(async () => {
  floodStarted = 0;
  await t.close();
});

const resend = (st: string, s: number): Frame => ({ t: 0, st, s, x: 1, d: `r${s}` });

let floodStarted = 0;
/** Sends n single-frame requests at once; the reply codes in order. */
async function flood(socket: ClientSocket, n: number, make: (i: number) => [string, unknown]): Promise<number[]> {
  floodStarted ||= Date.now();
  const replies = await Promise.all(Array.from({ length: n }, (_, i) => request(socket, ...make(i + 1))));
  return replies.map((r) => r.code);
}

/** The most a token bucket of `perSecond` (capacity limit + 10%) lets through since the first flood began. */
function budget(perSecond: number): number {
  const seconds = (Date.now() - floodStarted) / 1000;
  return Math.ceil(perSecond * 1.1) + Math.ceil(perSecond * seconds) + 1;
}

/** Messages (not acks) in everything `got` received. */
const messagesIn = (got: Array<{ frame: Uint8Array }>): number =>
  got.reduce((n, ev) => {
    const d = decodeFrames(ev.frame);
    return n + (d.ok ? d.frames.filter((f) => f.t === 0).length : 0);
  }, 0);

describe('resend flag floods', () => {
  it('1,000 "resent" P2P frames: at most one burst of the P2P budget gets through, the rest ExceedQPS', async () => {
    const alice = (await t.login('alice')).socket;
    const bob = (await t.login('bob')).socket;
    const got = collect<{ frame: Uint8Array }>(bob, 'relay:frame');
    const codes = await flood(alice, 1000, (i) => ['relay:frame', { to: 'bob', frame: encodeFrames([resend('u/', i)]) }]);
    const passed = codes.filter((c) => c === 0).length;
    expect(codes.every((c) => c === 0 || c === 5)).toBe(true);
    // Bucket: 110 (limit + 10%) plus what refills while the flood is handled.
    // Resends may not take the last 30% of the bucket (kept for first sends).
    expect(passed).toBeGreaterThanOrEqual(70);
    expect(passed).toBeLessThanOrEqual(budget(100));
    expect(passed).toBeLessThan(1000);
    await waitFor(() => got.length === passed);
    await sleep(50);
    expect(messagesIn(got)).toBe(passed);
  });

  it('1,000 "resent" broadcasts, one by one to a member and fanned out: bounded by 65/s per sender', async () => {
    const [alice, bob] = await t.inRoom('room', 'alice', 'bob');
    const got = collect<{ frame: Uint8Array }>(bob, 'relay:frame');
    const direct = await flood(alice, 500, (i) => ['relay:frame', { to: 'bob', frame: encodeFrames([resend('b/room', i)]) }]);
    const fanned = await flood(alice, 500, (i) => ['relay:room', { roomId: 'room', frame: encodeFrames([resend('b/room', 1000 + i)]) }]);
    const passed = [...direct, ...fanned].filter((c) => c === 0).length;
    expect(passed).toBeGreaterThanOrEqual(45);
    expect(passed).toBeLessThanOrEqual(budget(65));
    expect(passed).toBeLessThan(1000);
    expect(fanned.filter((c) => c === 5).length).toBeGreaterThan(400);
    await waitFor(() => messagesIn(got) === passed);
  });

  it('"resent" broadcasts from many senders stay within the room total (100/s)', async () => {
    const senders = await t.inRoom('room', 's1', 's2', 's3', 's4');
    const [watcher] = await t.inRoom('room', 'watcher');
    const got = collect<{ frame: Uint8Array }>(watcher, 'relay:frame');
    const codes = (await Promise.all(senders.map((s) => flood(s, 60, (i) => ['relay:room', { roomId: 'room', frame: encodeFrames([resend('b/room', i)]) }])))).flat();
    const passed = codes.filter((c) => c === 0).length;
    expect(passed).toBeGreaterThanOrEqual(70);
    expect(passed).toBeLessThanOrEqual(budget(100));
    expect(passed).toBeLessThan(240);
    await waitFor(() => messagesIn(got) === passed);
  });

  it('one batch of 300 resends: the part within budget is forwarded (ExceedQPS), the rest drains later', async () => {
    const alice = (await t.login('alice')).socket;
    const bob = (await t.login('bob')).socket;
    const got = collect<{ frame: Uint8Array }>(bob, 'relay:frame');
    const backlog = Array.from({ length: 300 }, (_, i) => resend('u/', i + 1));
    const first = await request(alice, 'relay:frame', { to: 'bob', frame: encodeFrames(backlog) });
    expect(first.code).toBe(5);
    await waitFor(() => got.length === 1);
    const forwarded = decodeFrames(got[0].frame);
    if (!forwarded.ok) throw new Error(forwarded.error);
    // The longest prefix the bucket allowed, in order.
    expect(forwarded.frames.length).toBeGreaterThanOrEqual(70);
    expect(forwarded.frames.length).toBeLessThanOrEqual(111 - 33);
    expect(forwarded.frames.map((f) => (f as { s: number }).s)).toEqual(backlog.slice(0, forwarded.frames.length).map((f) => (f as { s: number }).s));
    // The backlog left room for new messages: a first send still passes…
    expect(await request(alice, 'relay:frame', { to: 'bob', frame: encodeFrames([{ t: 0, st: 'u/', s: 999, d: 'new' }]) })).toEqual({ code: 0 });
    // …while a batch mixing first sends and resends is all or nothing: refused whole when over budget.
    const mixed = await request(alice, 'relay:frame', { to: 'bob', frame: encodeFrames([{ t: 0, st: 'u/', s: 1000, d: 'new' }, ...backlog.slice(0, 60)]) });
    expect(mixed.code).toBe(5);
    await waitFor(() => got.length === 2);
    // The rest goes as the budget refills (an honest sender resends what was not acknowledged).
    let rest = backlog.slice(forwarded.frames.length);
    let code = 5;
    for (let round = 0; rest.length > 0 && round < 20; round++) {
      await sleep(600);
      const before = got.length;
      code = (await request(alice, 'relay:frame', { to: 'bob', frame: encodeFrames(rest) })).code;
      expect([0, 5]).toContain(code);
      if (got.length > before) {
        const d = decodeFrames(got[got.length - 1].frame);
        if (d.ok) rest = rest.slice(d.frames.length);
      }
    }
    expect(rest).toEqual([]);
    expect(code).toBe(0);
    expect(messagesIn(got)).toBe(301);
  });
});
