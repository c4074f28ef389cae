// End-to-end send results of the messaging layer: success only after the receiver's ack,
// Timeout when no ack comes, room results completing when members leave, and server rejections.
import { afterEach, describe, expect, it } from 'vitest';
import { MessageConfig } from '../shared/codes.js';
import { FakeNetwork, sleep, waitFor } from './helpers/messaging-fakes.js';

let net: FakeNetwork;
afterEach(() => {
  for (const uid of [...(net?.nodes.keys() ?? [])]) net.remove(uid);
});

describe('message results', () => {
  it('a user message succeeds (0) only once the receiver acknowledged it', async () => {
    net = new FakeNetwork();
    const a = net.add('a');
    const b = net.add('b');
    let acksAllowed = false;
    net.knobs.dropIf = (from, _to, frame) => from === 'b' && frame.t === 1 && !acksAllowed;
    const id = a.sendUser('b', 'hello');
    await waitFor(() => b.received.length === 1);
    await sleep(30);
    expect(a.results.has(id)).toBe(false);
    expect(a.messenger.stats().pendingReliable).toBe(1);
    acksAllowed = true; // the resend sweep brings a duplicate; b re-acks it
    await waitFor(() => a.results.get(id) === 0, 5000, 'success after ack');
    expect(b.received).toHaveLength(1);
  });

  it('a message nobody acknowledges reports Timeout (1) after messageTimeoutMs and stops being tracked', async () => {
    net = new FakeNetwork();
    const a = net.add('a', { messageTimeoutMs: 150, resendAfterMs: 40 });
    net.add('b');
    net.knobs.dropIf = (from) => from === 'a';
    const id = a.sendUser('b', 'into the void');
    await waitFor(() => a.results.has(id), 5000, 'timeout result');
    expect(a.results.get(id)).toBe(1);
    expect(a.messenger.stats().pendingReliable).toBe(0);
  });

  it('after a timed-out message the stream goes on: later messages are not stuck behind the hole', async () => {
    net = new FakeNetwork();
    const a = net.add('a', { messageTimeoutMs: 200, resendAfterMs: 50 });
    const b = net.add('b');
    // Message "lost" never gets through on any path.
    net.knobs.dropIf = (_from, _to, frame) => frame.t === 0 && frame.d === 'lost';
    const ids = [a.sendUser('b', 'one'), a.sendUser('b', 'lost')];
    await sleep(100);
    // Held back by b behind the hole until the sender gives up on "lost".
    ids.push(a.sendUser('b', 'three'));
    await waitFor(() => a.results.get(ids[1]) === 1, 5000, 'timeout of the lost one');
    const after = a.sendUser('b', 'four');
    await waitFor(() => a.results.get(after) === 0 && a.results.get(ids[2]) === 0, 5000, 'later messages succeed');
    expect(b.texts()).toEqual(['one', 'three', 'four']);
    expect(a.results.get(ids[0])).toBe(0);
  });

  it('sending to a user the relay does not know reports NoReceiver (3)', async () => {
    net = new FakeNetwork();
    const a = net.add('a');
    const id = a.sendUser('ghost', 'anyone?');
    await waitFor(() => a.results.has(id));
    expect(a.results.get(id)).toBe(3);
  });

  it('a sender that restarts (new engine, same uid) is not taken for a duplicate', async () => {
    net = new FakeNetwork();
    const a1 = net.add('a');
    const b = net.add('b');
    const ids = Array.from({ length: 50 }, (_, i) => a1.sendUser('b', `old${i}`));
    await waitFor(() => ids.every((id) => a1.results.get(id) === 0));
    net.remove('a');
    const a2 = net.add('a');
    const id = a2.sendUser('b', 'new');
    await waitFor(() => a2.results.get(id) === 0);
    expect(b.texts().at(-1)).toBe('new');
  });

  it('a receiver holding state of an earlier incarnation with a higher clock is resynced', async () => {
    net = new FakeNetwork();
    const b = net.add('b');
    // Simulate an earlier device whose counters ran far ahead of ours: b expects seq 9e15.
    b.messenger['inbox'].receive('a', { t: 0, st: 'u/', s: 9e15, f: 9e15, d: 'from the future' });
    const a = net.add('a');
    const ids = [a.sendUser('b', 'p1'), a.sendUser('b', 'p2')];
    await waitFor(() => ids.every((id) => a.results.get(id) === 0), 5000, 'results after resync');
    expect(b.texts()).toEqual(['from the future', 'p1', 'p2']);
  });
});

describe('room message results', () => {
  it('a broadcast with no other members succeeds (200) at once', async () => {
    net = new FakeNetwork();
    const a = net.add('a');
    a.enterRoom(net, 'R', []);
    const id = a.sendRoom('R', 'alone');
    expect(a.results.has(id)).toBe(false); // never synchronously
    await waitFor(() => a.results.has(id));
    expect(a.results.get(id)).toBe(200);
  });

  it('completes with 200 when the only member still owing an ack leaves the room', async () => {
    net = new FakeNetwork();
    // Over a link, where the receiver's ack is the confirmation (through the server a broadcast
    // counts as delivered at the server's hand-off: see the relay tests below).
    const a = net.add('a', { messageTimeoutMs: 60_000, resendAfterMs: 60_000 });
    const b = net.add('b');
    const c = net.add('c');
    a.enterRoom(net, 'R', ['b', 'c']);
    b.enterRoom(net, 'R', ['a', 'c']);
    c.enterRoom(net, 'R', ['a', 'b']);
    net.openLink('a', 'c');
    net.knobs.dropIf = (from) => from === 'c'; // c never acks
    const id = a.sendRoom('R', 'hi all');
    await waitFor(() => b.received.length === 1 && c.received.length === 1);
    await sleep(30);
    expect(a.results.has(id)).toBe(false);
    a.messenger.memberLeft('R', 'c');
    await waitFor(() => a.results.has(id));
    expect(a.results.get(id)).toBe(200);
  });

  it('pending broadcasts end with the given code when we leave the room', async () => {
    net = new FakeNetwork();
    const a = net.add('a');
    net.add('b');
    a.enterRoom(net, 'R', ['b']);
    net.knobs.dropIf = () => true;
    const id = a.sendRoom('R', 'bye');
    a.messenger.roomLeft('R', 100);
    await waitFor(() => a.results.has(id));
    expect(a.results.get(id)).toBe(100);
  });

  it('a broadcast rejected by the relay reports the relay code', async () => {
    net = new FakeNetwork();
    const a = net.add('a');
    net.add('b');
    // a thinks it is in R with b, the "server" does not have a in R → NotJoin
    a.inRooms.add('R');
    a.messenger.roomJoined('R', ['b']);
    const id = a.sendRoom('R', 'x');
    await waitFor(() => a.results.has(id));
    expect(a.results.get(id)).toBe(100);
  });

  it('room frames for a room the receiver is not in are neither delivered nor acknowledged', async () => {
    net = new FakeNetwork();
    // Over a link (through the server only members in the room on the server get it at all).
    const a = net.add('a', { messageTimeoutMs: 300, resendAfterMs: 60_000 });
    const b = net.add('b');
    net.join('R', 'a', 'b');
    a.inRooms.add('R');
    a.messenger.roomJoined('R', ['b']);
    net.openLink('a', 'b');
    const id = a.sendRoom('R', 'x');
    await waitFor(() => a.results.has(id), 5000);
    expect(b.received).toHaveLength(0);
    expect(a.results.get(id)).toBe(1);
  });
});

describe('unreliable messages (MessageConfig 1 and 2)', () => {
  it('go over an open link without a sequence and succeed at once', async () => {
    net = new FakeNetwork();
    const a = net.add('a');
    const b = net.add('b');
    net.openLink('a', 'b');
    const id1 = a.sendUser('b', 'u1', '', MessageConfig.UnreliableOrdered);
    const id2 = a.sendUser('b', 'u2', '', MessageConfig.UnreliableUnordered);
    await waitFor(() => a.results.has(id1) && a.results.has(id2));
    expect([a.results.get(id1), a.results.get(id2)]).toEqual([0, 0]);
    await waitFor(() => b.received.length === 2);
    expect(b.texts().sort()).toEqual(['u1', 'u2']);
    expect(a.messenger.stats().pendingReliable).toBe(0);
  });

  it('fall back to the relay without a link and report the relay result', async () => {
    net = new FakeNetwork();
    const a = net.add('a');
    const b = net.add('b');
    const id = a.sendUser('b', 'u', '', MessageConfig.UnreliableOrdered);
    const lost = a.sendUser('nobody', 'u', '', MessageConfig.UnreliableOrdered);
    await waitFor(() => a.results.has(id) && a.results.has(lost));
    expect(a.results.get(id)).toBe(0);
    expect(a.results.get(lost)).toBe(3);
    await waitFor(() => b.received.length === 1);
    const relayed = net.relayLog.find((e) => e.from === 'a' && e.to === 'b');
    expect(relayed?.frames[0]).not.toHaveProperty('s');
  });
});
