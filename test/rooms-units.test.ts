// Issue 11, the parts without a network: which members link (link-selection.ts), the caps as
// parameters, the resend timer of a lane (RFC 6298), the window of unacknowledged messages, and
// no resend while acks flow (fake paths from helpers/messaging-fakes.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { selectRoomPeers } from '../client/link-selection.js';
import { Lane } from '../client/messaging/lane.js';
import { Outbox } from '../client/messaging/outbox.js';
import { ParameterError, resolveParameters } from '../client/parameters.js';
import { createRTS } from '../client/index.js';
import { FakeLinkManager, FakeNetwork, quietLogger, waitFor } from './helpers/messaging-fakes.js';
import { LinkLayer } from '../client/link-layer.js';

const members = (n: number): string[] => Array.from({ length: n }, (_, i) => `m${i}`);
const picks = (uids: string[], k: number, room = 'R'): Map<string, Set<string>> => new Map(uids.map((u) => [u, selectRoomPeers(u, room, uids, k)]));

describe('link selection', () => {
  it('a room of at most maxPeerLinks + 1 is a full mesh', () => {
    for (const [uid, set] of picks(members(9), 8)) expect(set.size, uid).toBe(8);
  });

  it('beyond it: the same degree for everyone, and both ends pick each other or neither', () => {
    for (const [n, k] of [[10, 8], [40, 8], [200, 8], [6, 2], [17, 5]]) {
      const all = picks(members(n), k);
      for (const [uid, set] of all) {
        expect(set.size, `${uid} in ${n} at ${k}`).toBe(2 * Math.floor(k / 2));
        expect(set.has(uid)).toBe(false);
        for (const peer of set) expect(all.get(peer)!.has(uid), `${peer} picks ${uid} back`).toBe(true);
      }
    }
  });

  it('a leave or a join moves only a few links', () => {
    const before = picks(members(100), 8);
    const after = picks(members(100).filter((u) => u !== 'm37'), 8);
    let added = 0;
    for (const [uid, set] of after) for (const peer of set) if (!before.get(uid)!.has(peer)) added++;
    expect(added).toBeLessThanOrEqual(16); // each new link counted at both ends
    const joined = picks([...members(100), 'newcomer'], 8);
    let moved = 0;
    for (const [uid, set] of before) for (const peer of set) if (!joined.get(uid)!.has(peer)) moved++;
    expect(moved).toBeLessThanOrEqual(16);
  });

  it('differs per room, so nobody is the same members\' neighbour in every room', () => {
    const uids = members(50);
    const a = selectRoomPeers('m0', 'room-a', uids, 8);
    const b = selectRoomPeers('m0', 'room-b', uids, 8);
    expect([...a].sort()).not.toEqual([...b].sort());
  });
});

describe('maxPeerLinks / maxPeerLinksTotal', () => {
  it('default 8 and 32', () => {
    const p = resolveParameters({ server: 'http://127.0.0.1:1' });
    expect([p.maxPeerLinks, p.maxPeerLinksTotal]).toEqual([8, 32]);
  });

  it('0, a fraction or a string is a clear parameter error', () => {
    expect(() => resolveParameters({ server: 'http://127.0.0.1:1', maxPeerLinks: 0 })).toThrow(ParameterError);
    expect(() => resolveParameters({ server: 'http://127.0.0.1:1', maxPeerLinks: 0 })).toThrow(/maxPeerLinks: expected at least 1 link/);
    expect(() => resolveParameters({ server: 'http://127.0.0.1:1', maxPeerLinks: 2.5 })).toThrow(/maxPeerLinks: expected a whole number of links/);
    expect(() => resolveParameters({ server: 'http://127.0.0.1:1', maxPeerLinksTotal: '4' as unknown as number })).toThrow(/maxPeerLinksTotal/);
  });

  it('setRuntimeParameters refuses them the same way (-2) and takes a valid one (0)', () => {
    const rts = createRTS('rtsmeshtestapp0000000000', null, { server: 'http://127.0.0.1:1', logger: { warn: () => undefined, error: () => undefined } });
    try {
      expect(rts.setRuntimeParameters({ maxPeerLinks: 0 })).toBe(-2);
      expect(rts.setRuntimeParameters({ maxPeerLinks: 1.5 })).toBe(-2);
      expect(rts.setRuntimeParameters({ maxPeerLinks: 3, maxPeerLinksTotal: 12 })).toBe(0);
    } finally {
      rts.destroyRTS();
    }
  });
});

describe('resend timer of a lane (RFC 6298)', () => {
  const bounds = { initial: 1000, min: 200, max: 10_000 };

  it('starts at the initial timeout, then follows SRTT + 4·RTTVAR within its bounds', () => {
    const lane = new Lane('b', 'u/', 1, null);
    expect(lane.rto(bounds)).toBe(1000);
    lane.sample(100); // SRTT 100, RTTVAR 50 → 300
    expect(lane.rto(bounds)).toBe(300);
    for (let i = 0; i < 50; i++) lane.sample(10); // converges low: clamped to the minimum
    expect(lane.rto(bounds)).toBe(200);
  });

  it('doubles at every expiry up to the maximum, and progress ends the backoff', () => {
    const lane = new Lane('b', 'u/', 1, null);
    lane.sample(100);
    lane.expired();
    expect(lane.rto(bounds)).toBe(600);
    for (let i = 0; i < 10; i++) lane.expired();
    expect(lane.rto(bounds)).toBe(10_000);
    lane.progressed(Date.now());
    expect(lane.rto(bounds)).toBe(300);
  });
});

describe('resend sweep', () => {
  it('looks only at lanes with something pending, however many receivers there were', () => {
    let now = 1_000_000;
    const outbox = new Outbox({ now: () => now });
    const entries = Array.from({ length: 200 }, (_, i) => outbox.enqueueUser(`m${i}`, 'u/', 'x', i + 1, () => undefined));
    for (const e of entries) outbox.sent(e, 'link');
    for (let i = 1; i < 200; i++) outbox.ack(`m${i}`, 'u/', outbox.frameOf(entries[i]).s!);
    const original = Lane.prototype.due;
    let asked = 0;
    Lane.prototype.due = function (this: Lane, ...args: Parameters<Lane['due']>) {
      asked++;
      return original.apply(this, args);
    };
    try {
      expect(outbox.due()).toEqual([]);
      expect(asked).toBe(1);
      now += 1_500; // past the initial resend timeout (1 s): the one unacknowledged frame is due
      expect(outbox.due()).toEqual([entries[0]]);
      outbox.ack('m0', 'u/', outbox.frameOf(entries[0]).s!);
      asked = 0;
      now += 60_000;
      expect(outbox.due()).toEqual([]);
      expect(asked).toBe(0);
    } finally {
      Lane.prototype.due = original;
    }
  });
});

describe('window of unacknowledged messages', () => {
  it('beyond the window a sender waits; acks let the next ones go, in order', () => {
    const outbox = new Outbox({ window: 4 });
    const entries = Array.from({ length: 10 }, (_, i) => outbox.enqueueUser('b', 'u/', `m${i}`, i + 1, () => undefined));
    expect(entries.map((e) => outbox.mayTransmit(e))).toEqual([true, true, true, true, false, false, false, false, false, false]);
    for (const e of entries.slice(0, 4)) outbox.sent(e, 'link');
    const firstSeq = outbox.frameOf(entries[0]).s!;
    outbox.ack('b', 'u/', firstSeq + 1); // two acknowledged: two more may go
    const ready = outbox.drainReady();
    expect(ready.map((e) => outbox.frameOf(e).d)).toEqual(['m4', 'm5']);
    expect(outbox.drainReady()).toEqual([]);
  });

  it('acks for seqs never sent or far ahead change nothing and hold nothing', () => {
    const outbox = new Outbox({ window: 4 });
    const e = outbox.enqueueUser('b', 'u/', 'x', 1, () => undefined);
    const s = outbox.frameOf(e).s!;
    expect(outbox.ack('b', 'u/', Number.MAX_SAFE_INTEGER)).toBe('forged');
    expect(outbox.ack('nobody', 'u/', s)).toBe('unknown');
    for (let i = 0; i < 10_000; i++) outbox.ack('b', 'u/', s - 1);
    expect(outbox.pendingMessages).toBe(1);
    expect(outbox.isPending(e)).toBe(true);
  });
});

describe('no resend while the path is healthy', () => {
  let net: FakeNetwork | undefined;
  afterEach(() => {
    for (const uid of [...(net?.nodes.keys() ?? [])]) net!.remove(uid);
    net = undefined;
  });

  it('a stream over a jittery link and over the relay: every message once, in order, nothing sent twice', async () => {
    net = new FakeNetwork();
    net.knobs.linkJitterMs = 20;
    net.knobs.relayJitterMs = 20;
    const a = net.add('a', { resendAfterMs: 200 });
    const b = net.add('b');
    const c = net.add('c');
    net.openLink('a', 'b'); // b over the link, c through the relay
    const n = 400;
    for (let i = 0; i < n; i++) {
      a.sendUser('b', `b${i}`);
      a.sendUser('c', `c${i}`);
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor(() => a.results.size === 2 * n, 20_000);
    expect([...a.results.values()].every((code) => code === 0)).toBe(true);
    expect(b.texts()).toEqual(Array.from({ length: n }, (_, i) => `b${i}`));
    expect(c.texts()).toEqual(Array.from({ length: n }, (_, i) => `c${i}`));
    expect(a.messenger.stats().resends).toBe(0);
  });
});

describe('broadcasts through the server, confirmed by the hand-off', () => {
  let net: FakeNetwork | undefined;
  afterEach(() => {
    for (const uid of [...(net?.nodes.keys() ?? [])]) net!.remove(uid);
    net = undefined;
  });

  const room = (): { a: ReturnType<FakeNetwork['add']>; b: ReturnType<FakeNetwork['add']>; c: ReturnType<FakeNetwork['add']> } => {
    net = new FakeNetwork();
    const a = net.add('a', { links: false, resendAfterMs: 100 });
    const b = net.add('b', { links: false });
    const c = net.add('c', { links: false });
    a.enterRoom(net, 'R', ['b', 'c']);
    b.enterRoom(net, 'R', ['a', 'c']);
    c.enterRoom(net, 'R', ['a', 'b']);
    return { a, b, c };
  };

  it('200 without an ack per member; nothing is acknowledged through the server', async () => {
    const { a, b, c } = room();
    const ids = Array.from({ length: 20 }, (_, i) => a.sendRoom('R', `r${i}`));
    await waitFor(() => ids.every((id) => a.results.get(id) === 200));
    await waitFor(() => b.received.length === 20 && c.received.length === 20);
    expect(net!.relayLog.filter((e) => e.frames.some((f) => f.t === 1))).toEqual([]); // no ack frames
    expect(a.messenger.stats().resends).toBe(0);
  });

  it('a hybrid broadcast hands its server leg over before the direct sends, and reaches everyone once', async () => {
    net = new FakeNetwork();
    const a = net.add('a');
    const b = net.add('b');
    const c = net.add('c');
    for (const n of [a, b, c]) n.enterRoom(net, 'R', ['a', 'b', 'c'].filter((u) => u !== n.uid));
    net.openLink('a', 'b');
    const order: string[] = [];
    const { links, relay } = a;
    const linkSend = links!.send.bind(links);
    links!.send = (uid, frames, channel) => (order.push(`link:${uid}`), linkSend(uid, frames, channel));
    const sendRoom = relay.sendRoom.bind(relay);
    relay.sendRoom = (roomId, except, frames) => (order.push(`server:${except.join(',')}`), sendRoom(roomId, except, frames));
    const id = a.sendRoom('R', 'hybrid');
    await waitFor(() => a.results.get(id) === 200);
    expect(order).toEqual(['server:b', 'link:b']);
    expect(b.texts()).toEqual(['hybrid']);
    expect(c.texts()).toEqual(['hybrid']);
  });

  it('a member whose connection was away gets what it missed when it rejoins, once and in order', async () => {
    const { a, b, c } = room();
    a.sendRoom('R', 'before');
    await waitFor(() => c.received.length === 1);
    net!.setRelayUp('c', false); // dropped: the server hands it nothing, and says 0
    const ids = Array.from({ length: 5 }, (_, i) => a.sendRoom('R', `away${i}`));
    await waitFor(() => ids.every((id) => a.results.get(id) === 200));
    net!.setRelayUp('c', true);
    a.messenger.memberJoined('R', 'c'); // its rejoin is announced again
    await waitFor(() => c.received.length === 6);
    expect(c.texts()).toEqual(['before', 'away0', 'away1', 'away2', 'away3', 'away4']);
    expect(b.texts()).toEqual(c.texts());
  });

  it('a member that reports a gap it stays stuck on gets it replayed', async () => {
    const { a, c } = room();
    a.sendRoom('R', 'm0');
    await waitFor(() => c.received.length === 1);
    net!.setRelayUp('c', false);
    a.sendRoom('R', 'm1'); // lost for c, and its rejoin is never announced
    await waitFor(() => a.results.size === 2);
    net!.setRelayUp('c', true);
    a.sendRoom('R', 'm2'); // c sees the gap, says so once; the replay fills it
    await waitFor(() => c.received.length === 3, 5000);
    expect(c.texts()).toEqual(['m0', 'm1', 'm2']);
  });
});

describe('a link reported relay while its connection stays up', () => {
  it('is not used: its traffic moves to the server without loss, and back once it is p2p again', async () => {
    const net = new FakeNetwork();
    try {
      const a = net.add('a');
      const b = net.add('b');
      net.openLink('a', 'b');
      a.sendUser('b', 'one');
      await waitFor(() => b.received.length === 1);
      a.links!.setState('b', 'down'); // silent: reported relay, the connection itself still open
      const relayedBefore = net.relayLog.length;
      a.sendUser('b', 'two');
      await waitFor(() => b.received.length === 2);
      expect(net.relayLog.length).toBeGreaterThan(relayedBefore);
      a.links!.setState('b', 'open');
      a.sendUser('b', 'three');
      await waitFor(() => b.received.length === 3);
      expect(b.texts()).toEqual(['one', 'two', 'three']);
      await waitFor(() => a.results.size === 3);
      expect([...a.results.values()]).toEqual([0, 0, 0]);
    } finally {
      for (const uid of [...net.nodes.keys()]) net.remove(uid);
    }
  });
});

describe('the reason a member is on the server', () => {
  it("'no-links' while the link layer loads, then 'cap' for the members the caps leave out", async () => {
    const net = new FakeNetwork();
    const manager = new FakeLinkManager(net, 'a');
    let resolve!: (m: FakeLinkManager) => void;
    const layer = new LinkLayer({
      logger: quietLogger,
      factory: () => () => new Promise<FakeLinkManager>((r) => (resolve = r)),
      context: () => ({ selfUid: 'a', webrtc: undefined, iceServers: () => [], logger: quietLogger }),
      sendSignal: () => undefined,
      caps: () => ({ perRoom: 2, total: 32 }),
      rebalanceMs: 1,
    });
    const seen: Array<[string, string, string | undefined]> = [];
    layer.on('path', (uid, state, reason) => seen.push([uid, state, reason]));
    layer.attach();
    for (const uid of ['b', 'c', 'd', 'e', 'f']) layer.want(uid, 'room:R');
    layer.rebalance();
    expect(seen.filter(([, , r]) => r === 'no-links').length).toBe(5);
    resolve(manager);
    await new Promise((r) => setTimeout(r, 5));
    const last = new Map(seen.map(([uid, state, reason]) => [uid, `${state}:${reason ?? ''}`]));
    const picked = selectRoomPeers('a', 'R', ['b', 'c', 'd', 'e', 'f'], 2);
    for (const uid of ['b', 'c', 'd', 'e', 'f']) {
      if (picked.has(uid)) expect(manager.wants, uid).toContainEqual([uid, 'room', 'want']);
      else expect(last.get(uid), uid).toBe('relay:cap');
    }
    layer.destroy();
  });
});
