// Chunk splitting and reassembly: round trips in any order, and the bounds that keep a hostile
// peer from making the receiver hold or allocate much memory.
import { describe, expect, it } from 'vitest';
import { decodeFrames } from '../shared/frame.js';
import { CHUNK_HEADER_BYTES, CHUNK_MARKER, Reassembler, splitMessage } from '../client/peer/chunking.js';

const message = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 13 + 5) & 0xff);

function forgedChunk(id: number, total: number, offset: number, dataBytes: number): Uint8Array {
  const chunk = new Uint8Array(CHUNK_HEADER_BYTES + dataBytes);
  const view = new DataView(chunk.buffer);
  chunk[0] = CHUNK_MARKER;
  view.setUint32(1, id);
  view.setUint32(5, total);
  view.setUint32(9, offset);
  return chunk;
}

describe('peer chunking', () => {
  it('splits into chunks no bigger than the limit and reassembles in order', () => {
    const msg = message(200_000);
    const chunks = splitMessage(msg, 7, 64 * 1024);
    expect(chunks.length).toBe(4);
    for (const c of chunks) expect(c.byteLength).toBeLessThanOrEqual(64 * 1024);
    const r = new Reassembler();
    const results = chunks.map((c) => r.accept(c));
    expect(results.slice(0, 3).every((x) => x.kind === 'partial')).toBe(true);
    const last = results[3];
    expect(last.kind).toBe('message');
    expect(Buffer.compare(Buffer.from((last as { data: Uint8Array }).data), Buffer.from(msg))).toBe(0);
    expect(r.pendingBytes).toBe(0);
  });

  it('reassembles chunks that arrive out of order, interleaved with other messages', () => {
    const m1 = message(150_000);
    const m2 = message(90_000).reverse();
    const c1 = splitMessage(m1, 1, 32 * 1024);
    const c2 = splitMessage(m2, 2, 32 * 1024);
    const r = new Reassembler();
    const done: Uint8Array[] = [];
    for (const c of [c1[4], c2[2], c1[0], c2[0], c1[3], c1[1], c2[1], c1[2]]) {
      const res = r.accept(c);
      if (res.kind === 'message') done.push(res.data);
      expect(res.kind).not.toBe('error');
    }
    expect(done.map((d) => d.byteLength)).toEqual([90_000, 150_000]);
    expect(Buffer.compare(Buffer.from(done[0]), Buffer.from(m2))).toBe(0);
    expect(Buffer.compare(Buffer.from(done[1]), Buffer.from(m1))).toBe(0);
  });

  it('passes unchunked messages through untouched', () => {
    const r = new Reassembler();
    const plain = Uint8Array.from([0x91, 0x01]);
    expect(r.accept(plain)).toEqual({ kind: 'message', data: plain });
  });

  it('refuses a forged huge total without allocating it', () => {
    const r = new Reassembler({ maxMessageBytes: 1024 * 1024 });
    const res = r.accept(forgedChunk(1, 0xffff_fff0, 0, 16));
    expect(res.kind).toBe('error');
    expect(r.pendingBytes).toBe(0);
  });

  it('refuses chunks outside their message, disagreeing lengths, overlaps and empty data', () => {
    const r = new Reassembler();
    expect(r.accept(forgedChunk(1, 100, 90, 20)).kind).toBe('error'); // past the end
    expect(r.accept(forgedChunk(2, 100, 0, 60)).kind).toBe('partial');
    expect(r.accept(forgedChunk(2, 200, 60, 40)).kind).toBe('error'); // other total
    expect(r.accept(forgedChunk(3, 100, 0, 60)).kind).toBe('partial');
    expect(r.accept(forgedChunk(3, 100, 0, 60)).kind).toBe('error'); // 120 of 100 bytes
    expect(r.accept(forgedChunk(4, 100, 0, 0)).kind).toBe('error'); // header only
    expect(r.accept(new Uint8Array(0)).kind).toBe('error');
    expect(r.pendingBytes).toBe(0);
  });

  it('bounds the number of partial messages, dropping the oldest', () => {
    const r = new Reassembler({ maxPartialMessages: 4, maxMessageBytes: 1024 * 1024 });
    for (let id = 1; id <= 100; id++) expect(r.accept(forgedChunk(id, 1024 * 1024, 0, 1000)).kind).toBe('partial');
    expect(r.evicted).toBe(96);
    expect(r.pendingBytes).toBe(4000);
  });

  it('never throws on random bytes, with or without the chunk marker', () => {
    const r = new Reassembler();
    let seed = 42;
    const rand = (): number => ((seed = (seed * 1_103_515_245 + 12_345) >>> 0) >>> 16) & 0xff;
    for (let i = 0; i < 3000; i++) {
      const bytes = Uint8Array.from({ length: 1 + (rand() % 64) }, rand);
      if (i % 2 === 0) bytes[0] = CHUNK_MARKER;
      const res = r.accept(bytes);
      if (res.kind === 'message') expect(typeof decodeFrames(res.data).ok).toBe('boolean');
    }
    expect(r.pendingBytes).toBeLessThanOrEqual(4 * 1024 * 1024);
  });
});
