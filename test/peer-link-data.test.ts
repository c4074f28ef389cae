// Frames over real WebRTC links, on both Node stacks: content, order, coalescing, chunking,
// unreliable channels, backpressure, and hostile bytes on the wire.
import { afterEach, describe, expect, it } from 'vitest';
import { encode } from 'msgpackr';
import { encodeFrames, FrameType, type Frame, type MessageFrame } from '../shared/frame.js';
import { CHUNK_MARKER } from '../client/peer/chunking.js';
import { createPeerPair, STACKS, waitFor, waitOpen, type PeerPair } from './helpers/peer-pair.js';

const text = (s: number, d: string): Frame => ({ t: FrameType.Message, st: 'u/', s, d });
const bin = (s: number, d: Uint8Array): Frame => ({ t: FrameType.Message, st: 'u/', s, b: 1, d });
const seqs = (frames: Frame[]): number[] => frames.map((f) => (f as MessageFrame).s ?? -1);

describe.each(STACKS)('peer link data on %s', (stack) => {
  let pair: PeerPair | null = null;
  afterEach(() => {
    pair?.destroy();
    pair = null;
  });

  async function openPair(opts?: Parameters<typeof createPeerPair>[1]): Promise<PeerPair> {
    pair = await createPeerPair(stack, opts);
    pair.a.manager.want(pair.b.uid, 'room');
    pair.b.manager.want(pair.a.uid, 'room');
    await waitOpen(pair);
    return pair;
  }

  it('carries text and binary frames both ways on the reliable channel, intact', async () => {
    const { a, b } = await openPair();
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    expect(a.manager.send(b.uid, [text(1, 'héllo ✓'), bin(2, bytes)])).toBe(true);
    expect(b.manager.send(a.uid, [text(1, 'back')])).toBe(true);
    await waitFor(() => b.frames.length === 2 && a.frames.length === 1, 10_000, 'frames both ways');
    expect(b.frames[0]).toEqual(text(1, 'héllo ✓'));
    const got = b.frames[1] as MessageFrame;
    expect(got.d).toBeInstanceOf(Uint8Array);
    expect(Array.from(got.d as Uint8Array)).toEqual(Array.from(bytes));
    expect(got.b).toBe(1);
    expect(a.frames[0]).toEqual(text(1, 'back'));
  });

  it('delivers 5,000 frames sent in one loop, all and in order, coalesced into few wire messages', async () => {
    const { a, b } = await openPair();
    for (let i = 1; i <= 5000; i++) expect(a.manager.send(b.uid, [text(i, `m${i}`)])).toBe(true);
    await waitFor(() => b.frames.length === 5000, 10_000, '5000 frames');
    expect(seqs(b.frames)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(a.manager.linkFor(b.uid)!.wireMessagesSent).toBeLessThan(50);
  });

  it('chunks and reassembles a 64 KiB payload and a batch bigger than one wire message', async () => {
    // Wire messages held to 64 KiB, as towards a remote that announces no larger max-message-size
    // (with Node and Chromium remotes they may be 256 KiB: see the test below).
    const { a, b } = await openPair({ manager: { reliableWriter: { maxWireBytes: 64 * 1024 } } });
    const big = Uint8Array.from({ length: 65_536 }, (_, i) => (i * 31 + 7) & 0xff);
    a.manager.send(b.uid, [bin(1, big)]);
    // Multi-byte text: estimated at ~51 KB, encoded at ~100 KB, so the batch needs chunking.
    const wide = 'é'.repeat(1000);
    const batch = Array.from({ length: 50 }, (_, i) => text(i + 2, wide));
    a.manager.send(b.uid, batch);
    await waitFor(() => b.frames.length === 51, 10_000, 'big frame and batch');
    const got = b.frames[0] as MessageFrame;
    expect((got.d as Uint8Array).byteLength).toBe(65_536);
    expect(Buffer.compare(Buffer.from(got.d as Uint8Array), Buffer.from(big))).toBe(0);
    expect(b.frames.slice(1)).toEqual(batch);
    // 1 frame + 1 batch, but each needed more than one data-channel message.
    expect(a.manager.linkFor(b.uid)!.wireMessagesSent).toBeGreaterThanOrEqual(4);
  });

  it('sends a 64 KiB message as one data-channel message to a remote announcing a larger max-message-size', async () => {
    const { a, b } = await openPair();
    const big = Uint8Array.from({ length: 65_536 }, (_, i) => (i * 13 + 1) & 0xff);
    a.manager.send(b.uid, [bin(1, big)]);
    await waitFor(() => b.frames.length === 1, 10_000, 'the 64 KiB frame');
    expect(Buffer.compare(Buffer.from((b.frames[0] as MessageFrame).d as Uint8Array), Buffer.from(big))).toBe(0);
    expect(a.manager.linkFor(b.uid)!.wireMessagesSent).toBe(1);
  });

  it('sends three 64 KiB messages of one tick as one data-channel message, each intact', async () => {
    const { a, b } = await openPair();
    const bigs = [1, 2, 3].map((k) => Uint8Array.from({ length: 65_536 }, (_, i) => (i * k + k) & 0xff));
    a.manager.send(b.uid, bigs.map((d, i) => bin(i + 1, d)));
    await waitFor(() => b.frames.length === 3, 10_000, 'the three 64 KiB frames');
    bigs.forEach((d, i) => expect(Buffer.compare(Buffer.from((b.frames[i] as MessageFrame).d as Uint8Array), Buffer.from(d))).toBe(0));
    expect(a.manager.linkFor(b.uid)!.wireMessagesSent).toBe(1);
  });

  it('delivers on both unreliable channels, which really are separate channels', async () => {
    const { a, b } = await openPair();
    const link = b.manager.linkFor(a.uid)!;
    expect(link.unreliableFallback).toBe(false);
    const arrivals: string[] = [];
    link.on('frames', (frames, kind) => {
      for (const f of frames) arrivals.push(`${kind}:${(f as MessageFrame).d as string}`);
    });
    // Keep sending until one arrives on each: unreliable means a first message may be lost.
    await waitFor(() => {
      a.manager.send(b.uid, [{ t: FrameType.Message, st: 'u/', d: 'o' }], 'unreliable-ordered');
      a.manager.send(b.uid, [{ t: FrameType.Message, st: 'u/', d: 'u' }], 'unreliable-unordered');
      return arrivals.includes('unreliable-ordered:o') && arrivals.includes('unreliable-unordered:u');
    }, 10_000, 'frames on both unreliable channels');
    expect(arrivals.some((x) => x.startsWith('reliable:'))).toBe(false);
  });

  it('keeps data in JS instead of overfilling the channel buffer, and loses nothing', async () => {
    const { a, b } = await openPair();
    const payload = new Uint8Array(60 * 1024).fill(0x5a);
    const count = 320; // ~19 MiB: more than @roamhq/wrtc's 16 MiB native buffer
    for (let i = 1; i <= count; i++) a.manager.send(b.uid, [bin(i, payload)]);
    await new Promise((r) => setImmediate(r)); // let the first flush run
    expect(a.manager.queuedBytes(b.uid)).toBeGreaterThan(0);
    const channel = a.manager.linkFor(b.uid)!.rawChannel('reliable')!;
    let maxBuffered = 0;
    await waitFor(() => {
      maxBuffered = Math.max(maxBuffered, channel.bufferedAmount);
      return b.frames.length === count;
    }, 30_000, 'all large frames');
    expect(maxBuffered).toBeLessThanOrEqual(2 * 1024 * 1024 + 2 * 64 * 1024);
    expect(seqs(b.frames)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(a.manager.queuedBytes(b.uid)).toBe(0);
  });

  it('drops malformed wire messages, counts them, and keeps the link working', async () => {
    const { a, b } = await openPair();
    const reliable = a.manager.linkFor(b.uid)!.rawChannel('reliable')!;
    const unordered = a.manager.linkFor(b.uid)!.rawChannel('unreliable-ordered')!;
    const forgedChunk = new Uint8Array(20);
    forgedChunk[0] = CHUNK_MARKER;
    new DataView(forgedChunk.buffer).setUint32(5, 0xffff_fff0); // "4 GiB coming"
    const garbage: Uint8Array[] = [
      Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]), // not msgpack
      new Uint8Array(encode({ not: 'an array' })), // msgpack, not a batch
      encodeFrames([{ t: 9, st: 'u/', d: 'x' } as unknown as Frame]), // wrong schema
      forgedChunk,
    ];
    for (const g of garbage) reliable.send(g as Uint8Array<ArrayBuffer>);
    unordered.send(garbage[0] as Uint8Array<ArrayBuffer>);
    await waitFor(() => b.manager.stats().malformedMessages === 5, 10_000, 'malformed messages counted');
    expect(b.frames).toEqual([]);
    a.manager.send(b.uid, [text(1, 'still here')]);
    await waitFor(() => b.frames.length === 1, 10_000, 'a good frame after the garbage');
    expect(b.frames[0]).toEqual(text(1, 'still here'));
    expect(b.manager.isOpen(a.uid)).toBe(true);
  });

  it('measures 1 KiB frame throughput (printed for the choice of default stack)', async () => {
    const { a, b } = await openPair();
    const d = 'x'.repeat(1024);
    const total = 60_000;
    let received = 0;
    b.manager.on('frames', (_uid, frames) => {
      received += frames.length;
    });
    b.frames.length = 0;
    const started = performance.now();
    // The SDK's callers send in bursts from the event loop: 1,000 per tick.
    for (let sent = 0; sent < total; ) {
      for (let i = 0; i < 1000; i++, sent++) a.manager.send(b.uid, [{ t: FrameType.Message, st: 'b/room', s: sent + 1, d }]);
      await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => received === total, 60_000, 'throughput frames');
    const seconds = (performance.now() - started) / 1000;
    console.log(`[peer throughput] ${stack}: ${Math.round(total / seconds)} msgs/s of 1 KiB (${(total / 1024 / seconds).toFixed(1)} MiB/s)`);
    expect(received).toBe(total);
  });
});
