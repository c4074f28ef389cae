// The engine's seam to the peer-link layer, through a real signaling server: a link manager
// plugged in with `linkManagerFactory` (here an in-process loopback standing in for WebRTC) gets
// its signaling carried by rtc:signal, messages move onto the link when it opens and back to the
// relay when it breaks — complete and in order — and link states reach onPeerLinkStateChanged.
import { describe, expect, it } from 'vitest';
import { decodeFrames, encodeFrames, type Frame } from '../shared/frame.js';
import type { LinkManager, LinkManagerEvents, LinkReason } from '../client/index.js';
import { TypedEmitter } from '../client/typed-emitter.js';
import { useTestbed } from './helpers/rts-clients.js';
import { sleep, waitFor, type TestServer } from './helpers/server.js';

class LoopLinks extends TypedEmitter<LinkManagerEvents> implements LinkManager {
  static readonly all = new Map<string, LoopLinks>();
  readonly open = new Set<string>();
  readonly wants: Array<[string, LinkReason]> = [];
  destroyed = false;
  constructor(readonly uid: string) {
    super();
    LoopLinks.all.set(uid, this);
  }
  want(uid: string, reason: LinkReason): void {
    this.wants.push([uid, reason]);
    if (this.open.has(uid)) return;
    this.emit('state', uid, 'connecting');
    this.emit('signal', uid, { kind: 'hello' });
  }
  unwant(): void {}
  handleSignal(from: string, signal: Record<string, unknown>): void {
    if (signal.kind === 'hello') this.emit('signal', from, { kind: 'welcome' });
    this.open.add(from);
    this.emit('state', from, 'open');
  }
  isOpen(uid: string): boolean {
    return !this.destroyed && this.open.has(uid) && LoopLinks.all.get(uid)?.open.has(this.uid) === true;
  }
  send(uid: string, frames: Frame[]): boolean {
    if (!this.isOpen(uid)) return false;
    const wire = encodeFrames(frames);
    const peer = LoopLinks.all.get(uid)!;
    setTimeout(() => {
      if (!peer.open.has(this.uid)) return; // lost with the link
      const decoded = decodeFrames(wire);
      if (decoded.ok) peer.emit('frames', this.uid, decoded.frames);
    }, 5);
    return true;
  }
  breakWith(uid: string): void {
    const peer = LoopLinks.all.get(uid)!;
    this.open.delete(uid);
    peer.open.delete(this.uid);
    this.emit('state', uid, 'down');
    peer.emit('state', this.uid, 'down');
  }
  stats() {
    return { links: this.open.size, open: this.open.size, bytesSent: 0, bytesReceived: 0 };
  }
  destroy(): void {
    this.destroyed = true;
    for (const uid of [...this.open]) this.breakWith(uid);
  }
}

const bed = useTestbed(() => LoopLinks.all.clear());
const { clients } = bed;
let srv: TestServer;

const withLinks = { relayOnly: false, linkManagerFactory: async (ctx: { selfUid: string }) => new LoopLinks(ctx.selfUid) };

describe('link manager plugged into the engine', () => {
  it('room members get links through rtc:signal; broadcasts then go over them', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice', { ...withLinks, sysStatsIntervalMs: 50 });
    const bob = await clients.login('bob', withLinks);
    const a = await alice.join('R1');
    const b = await bob.join('R1');
    await alice.rec.wait('onPeerLinkStateChanged', (uid, s) => uid === 'bob' && s === 'p2p');
    await bob.rec.wait('onPeerLinkStateChanged', (uid, s) => uid === 'alice' && s === 'p2p');
    expect(LoopLinks.all.get('bob')!.wants).toContainEqual(['alice', 'room']);
    const id = a.room.sendRoomMessage('over the link');
    await a.rec.wait('onRoomMessageSendResult', (m, c) => m === id && c === 200);
    await b.rec.wait('onRoomMessageReceived', (from, t) => from === 'alice' && t === 'over the link');
    const [stats] = await alice.rec.wait('onSysStats', (s) => s.p2pSent > 0);
    expect(stats).toMatchObject({ p2pLinks: 1, relayedSent: 0 });
    expect(srv.server.stats().relayedMessages).toBe(0);
  });

  it('P2P outside rooms: first by relay, then over the link; a broken link falls back without loss', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice', { ...withLinks, sysStatsIntervalMs: 50 });
    const bob = await clients.login('bob', withLinks);
    const first = alice.rts.sendMessage('bob', 'm0');
    await alice.rec.wait('onMessageSendResult', (m, c) => m === first && c === 0);
    await alice.rec.wait('onPeerLinkStateChanged', (uid, s) => uid === 'bob' && s === 'p2p');
    const relayedBefore = srv.server.stats().relayedMessages;
    expect(relayedBefore).toBe(1);
    const ids: number[] = [first];
    for (let i = 1; i < 60; i++) {
      if (i === 30) LoopLinks.all.get('alice')!.breakWith('bob');
      ids.push(alice.rts.sendMessage('bob', `m${i}`));
      if (i % 10 === 0) await sleep(5);
    }
    await waitFor(() => ids.every((m) => alice.rec.of('onMessageSendResult').some(([id, c]) => id === m && c === 0)), 15_000);
    expect(bob.rec.of('onMessageReceived').map(([from, t]) => `${from}:${t}`)).toEqual(ids.map((_, i) => `alice:m${i}`));
    expect(alice.rec.of('onPeerLinkStateChanged').map(([, s]) => s)).toEqual(expect.arrayContaining(['connecting', 'p2p', 'relay']));
    const [stats] = await alice.rec.wait('onSysStats', (s) => s.p2pSent > 0);
    expect((stats as { p2pSent: number }).p2pSent).toBeGreaterThan(0);
    expect(srv.server.stats().relayedMessages).toBeGreaterThan(relayedBefore);
  });

  it('relayOnly at runtime closes the link layer; logout destroys it', async () => {
    srv = await bed.start();
    const alice = await clients.login('alice', withLinks);
    await waitFor(() => LoopLinks.all.has('alice'));
    const links = LoopLinks.all.get('alice')!;
    expect(alice.rts.setRuntimeParameters({ relayOnly: true })).toBe(0);
    expect(links.destroyed).toBe(true);
    expect(alice.rts.setRuntimeParameters({ relayOnly: false })).toBe(0);
    await waitFor(() => LoopLinks.all.get('alice') !== links);
    const second = LoopLinks.all.get('alice')!;
    alice.rts.logout();
    await alice.rec.wait('onLogout');
    expect(second.destroyed).toBe(true);
  });
});
