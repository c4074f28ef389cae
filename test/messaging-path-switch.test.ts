// Reliable streams stay complete, ordered and duplicate-free while frames move between the direct
// link and the relay in the middle of the stream (SPEC §10), with jitter and duplicated batches.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeNetwork, sleep, waitFor } from './helpers/messaging-fakes.js';

let net: FakeNetwork;
afterEach(() => {
  for (const uid of [...(net?.nodes.keys() ?? [])]) net.remove(uid);
});

describe('reliable user messages across path switches', () => {
  it('delivers 1,000 messages complete, in order, once while the link opens, breaks and reopens', async () => {
    net = new FakeNetwork();
    net.knobs = { ...net.knobs, relayJitterMs: 8, linkJitterMs: 1, duplicate: 0.1 };
    const a = net.add('alice');
    const b = net.add('bob');
    const ids: number[] = [];
    for (let i = 0; i < 1000; i++) {
      if (i === 250) net.openLink('alice', 'bob');
      if (i === 500) net.breakLink('alice', 'bob');
      if (i === 700) net.openLink('alice', 'bob');
      if (i === 850) net.breakLink('alice', 'bob', 'closed');
      ids.push(a.sendUser('bob', `m${i}`));
      if (i % 50 === 0) await sleep(3);
    }
    await waitFor(() => ids.every((id) => a.results.has(id)), 20_000, 'all results');
    expect(b.texts()).toEqual(Array.from({ length: 1000 }, (_, i) => `m${i}`));
    expect(ids.map((id) => a.results.get(id))).toEqual(ids.map(() => 0));
    expect(a.messenger.stats().pendingReliable).toBe(0);
    // Both paths really carried part of the stream.
    expect(a.messenger.stats().p2pSent).toBeGreaterThan(0);
    expect(a.messenger.stats().relayedSent).toBeGreaterThan(0);
    await sleep(50);
    expect(b.received).toHaveLength(1000);
  });

  it('recovers frames lost on a link that broke while they were in flight', async () => {
    net = new FakeNetwork();
    net.knobs = { ...net.knobs, linkJitterMs: 30, relayJitterMs: 1 };
    // No resend sweep within the test: only the switch itself can save these frames.
    const a = net.add('alice', { resendAfterMs: 60_000 });
    const b = net.add('bob');
    net.openLink('alice', 'bob');
    const ids = Array.from({ length: 100 }, (_, i) => a.sendUser('bob', `x${i}`));
    // The link dies before anything on it arrived: every frame must come again by relay.
    net.breakLink('alice', 'bob');
    await waitFor(() => ids.every((id) => a.results.has(id)), 10_000, 'results');
    expect(b.texts()).toEqual(Array.from({ length: 100 }, (_, i) => `x${i}`));
  });

  it('moves frames stuck on a down relay onto a link as soon as it opens', async () => {
    net = new FakeNetwork();
    const a = net.add('alice', { resendAfterMs: 60_000 });
    const b = net.add('bob');
    net.setRelayUp('alice', false);
    const ids = Array.from({ length: 20 }, (_, i) => a.sendUser('bob', `y${i}`));
    await sleep(30);
    expect(b.received).toHaveLength(0);
    net.openLink('alice', 'bob');
    await waitFor(() => ids.every((id) => a.results.get(id) === 0), 5000, 'results over the link');
    expect(b.texts()).toEqual(Array.from({ length: 20 }, (_, i) => `y${i}`));
  });

  it('resends what the relay may have lost once it is back (re-login)', async () => {
    net = new FakeNetwork();
    const a = net.add('alice', { resendAfterMs: 60_000, links: false });
    const b = net.add('bob', { links: false });
    net.setRelayUp('alice', false);
    const ids = Array.from({ length: 20 }, (_, i) => a.sendUser('bob', `z${i}`));
    await sleep(20);
    net.setRelayUp('alice', true);
    a.messenger.relayReconnected();
    await waitFor(() => ids.every((id) => a.results.get(id) === 0), 5000, 'results after reconnect');
    expect(b.texts()).toEqual(Array.from({ length: 20 }, (_, i) => `z${i}`));
  });

  it('keeps binary payloads intact and typed as Uint8Array', async () => {
    net = new FakeNetwork();
    const a = net.add('alice');
    const b = net.add('bob');
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const id = a.sendUser('bob', bytes);
    await waitFor(() => a.results.has(id));
    const got = b.received[0].data;
    expect(got).toBeInstanceOf(Uint8Array);
    expect(got.constructor).toBe(Uint8Array);
    expect([...(got as Uint8Array)]).toEqual([0, 1, 2, 250, 255]);
  });
});

describe('room broadcasts across path switches', () => {
  it('every member gets every broadcast once and in order while links flap; results are 200', async () => {
    net = new FakeNetwork();
    net.knobs = { ...net.knobs, relayJitterMs: 6, linkJitterMs: 1, duplicate: 0.05 };
    const nodes = ['a', 'b', 'c', 'd'].map((u) => net.add(u));
    for (const n of nodes) n.enterRoom(net, 'R', ['a', 'b', 'c', 'd'].filter((u) => u !== n.uid));
    net.openLink('a', 'b');
    const ids: number[] = [];
    for (let i = 0; i < 400; i++) {
      if (i === 100) net.openLink('a', 'c');
      if (i === 150) net.breakLink('a', 'b');
      if (i === 250) net.openLink('a', 'd');
      if (i === 300) net.breakLink('a', 'c');
      if (i === 320) net.openLink('a', 'b');
      ids.push(nodes[0].sendRoom('R', `r${i}`));
      if (i % 40 === 0) await sleep(3);
    }
    await waitFor(() => ids.every((id) => nodes[0].results.has(id)), 20_000, 'room results');
    expect(ids.map((id) => nodes[0].results.get(id))).toEqual(ids.map(() => 200));
    const expected = Array.from({ length: 400 }, (_, i) => `r${i}`);
    const fromA = (n: (typeof nodes)[number]): string[] => n.texts((r) => r.kind === 'broadcast' && r.roomId === 'R' && r.from === 'a');
    // A 200 through the server means handed to the member's connection: the last ones may still
    // be on their way (up to the relay's jitter) when the last result comes.
    await waitFor(() => nodes.slice(1).every((n) => fromA(n).length >= expected.length), 5_000, 'relayed broadcasts');
    for (const n of nodes.slice(1)) expect(fromA(n)).toEqual(expected);
    // The sender never receives its own broadcast.
    expect(nodes[0].received).toHaveLength(0);
    // Linked members are excluded from the relay fan-out: one relay:room per broadcast at most.
    const roomEmits = net.relayLog.filter((e) => e.room === 'R');
    expect(roomEmits.length).toBeLessThanOrEqual(400);
  });

  it('a member that joins later starts at the first broadcast sent after its join', async () => {
    net = new FakeNetwork();
    const a = net.add('a');
    const b = net.add('b');
    const c = net.add('c');
    a.enterRoom(net, 'R', ['b']);
    b.enterRoom(net, 'R', ['a']);
    const first = [a.sendRoom('R', 'before-1'), a.sendRoom('R', 'before-2')];
    await waitFor(() => first.every((id) => a.results.get(id) === 200));
    c.enterRoom(net, 'R', ['a', 'b']);
    a.messenger.memberJoined('R', 'c');
    b.messenger.memberJoined('R', 'c');
    net.openLink('a', 'c');
    const id = a.sendRoom('R', 'after');
    await waitFor(() => a.results.get(id) === 200);
    expect(c.texts()).toEqual(['after']);
    expect(b.texts()).toEqual(['before-1', 'before-2', 'after']);
  });
});
