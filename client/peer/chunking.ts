// Splitting wire messages that are too big for one data-channel message, and putting them back
// together on the far side.
//
// A whole wire message is sent as is: its first byte is a msgpack array marker (0x90-0x9f, 0xdc,
// 0xdd), because a wire message is always an encoded frame array. A chunk starts with 0xc1, the
// one byte msgpack never uses, so the two never collide and unchunked messages carry no header:
//
//   [0xc1][u32 message id][u32 total length][u32 offset][data...]   (big-endian)
//
// The receiver trusts nothing in a chunk header: total and offsets are bounded, the number of
// messages being reassembled at once is bounded (the oldest is dropped), and memory grows only
// with bytes actually received, so a forged "4 GiB coming" header costs nothing.

import { decodeFrames, type DecodeResult } from '../../shared/frame.js';

export const CHUNK_MARKER = 0xc1;
export const CHUNK_HEADER_BYTES = 13;

/**
 * Largest data-channel message this SDK sends. 64 KiB is accepted by every current stack
 * (@roamhq/wrtc closes the channel on messages over 256 KiB; Safari and older stacks advertise
 * 64 KiB), and large enough that coalesced batches rarely need chunking.
 */
export const DEFAULT_MAX_WIRE_MESSAGE_BYTES = 64 * 1024;

/**
 * The largest data-channel message sent when the remote allows more than 64 KiB: what Chromium
 * and both Node stacks announce (262,144), and the most @roamhq/wrtc takes before closing the
 * channel. Three 64 KiB messages fit one send(): on both Node stacks a send() and its delivery
 * cost about as much whatever the size, and at 128 KiB two 64 KiB frames (with their headers)
 * just missed fitting, so a 64 KiB stream went one message per send(), 0.85–0.94× a raw channel.
 */
export const LARGE_WIRE_MESSAGE_BYTES = 256 * 1024;

/**
 * The largest data-channel message to send to a remote whose SDP is `remoteSdp`: what its
 * `a=max-message-size` allows (RFC 8841: absent means 64 KiB, 0 means no limit), at most
 * LARGE_WIRE_MESSAGE_BYTES. Chromium, Firefox and both Node stacks announce 256 KiB or more, so a
 * 64 KiB message (plus its frame header) leaves as one message instead of two chunks.
 */
export function maxWireBytesFor(remoteSdp: string | undefined): number {
  const m = remoteSdp ? /^a=max-message-size:(\d+)/m.exec(remoteSdp) : null;
  if (!m) return DEFAULT_MAX_WIRE_MESSAGE_BYTES;
  const announced = Number(m[1]);
  if (announced === 0) return LARGE_WIRE_MESSAGE_BYTES;
  return Math.max(CHUNK_HEADER_BYTES + 1, Math.min(announced, LARGE_WIRE_MESSAGE_BYTES));
}

/**
 * Target size of a coalesced wire message on a channel whose messages may be `maxWireBytes`: a
 * margin below it, since the writer groups frames by an estimate that leaves out a few msgpack
 * bytes per frame (a batch over maxWireBytes would go as chunks). 60 KiB under 64 KiB, 240 KiB
 * under 256 KiB. Only a backlog of reliable data makes batches that big; without SCTP message
 * interleaving one holds the association for ~3 ms at 70 MB/s, a 60 KiB one for under 1 ms.
 */
export function coalesceBytesFor(maxWireBytes: number): number {
  return Math.max(0, maxWireBytes - Math.max(4 * 1024, Math.floor(maxWireBytes / 16)));
}

/** Splits `message` into chunks of at most `maxWireBytes` (header included). */
export function splitMessage(message: Uint8Array, messageId: number, maxWireBytes: number): Uint8Array[] {
  const room = maxWireBytes - CHUNK_HEADER_BYTES;
  if (room <= 0) throw new RangeError('maxWireBytes too small for a chunk header');
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < message.byteLength; offset += room) {
    const end = Math.min(offset + room, message.byteLength);
    const chunk = new Uint8Array(CHUNK_HEADER_BYTES + end - offset);
    const view = new DataView(chunk.buffer);
    chunk[0] = CHUNK_MARKER;
    view.setUint32(1, messageId >>> 0);
    view.setUint32(5, message.byteLength);
    view.setUint32(9, offset);
    chunk.set(message.subarray(offset, end), CHUNK_HEADER_BYTES);
    chunks.push(chunk);
  }
  return chunks;
}

export interface ReassemblerOptions {
  /** Largest message accepted after reassembly. Default 1 MiB. */
  maxMessageBytes?: number;
  /** Messages being reassembled at once; the oldest is dropped beyond this. Default 4. */
  maxPartialMessages?: number;
}

export type ReassemblyResult =
  | { kind: 'message'; data: Uint8Array }
  | { kind: 'partial' }
  | { kind: 'error'; error: string };

interface Partial {
  total: number;
  received: number;
  pieces: Array<{ offset: number; data: Uint8Array }>;
}

const PARTIAL: ReassemblyResult = { kind: 'partial' };

/** One per receiving channel. Chunks may arrive in any order (unordered channels) or never. */
export class Reassembler {
  private readonly maxMessageBytes: number;
  private readonly maxPartials: number;
  private readonly partials = new Map<number, Partial>();
  /** Partial messages dropped to make room for newer ones (lost chunks on unreliable channels). */
  evicted = 0;

  constructor(opts: ReassemblerOptions = {}) {
    this.maxMessageBytes = opts.maxMessageBytes ?? 1024 * 1024;
    this.maxPartials = Math.max(1, opts.maxPartialMessages ?? 4);
  }

  accept(wire: Uint8Array): ReassemblyResult {
    if (wire.byteLength === 0) return { kind: 'error', error: 'empty message' };
    if (wire[0] !== CHUNK_MARKER) return { kind: 'message', data: wire };
    if (wire.byteLength <= CHUNK_HEADER_BYTES) return { kind: 'error', error: 'chunk without data' };

    const view = new DataView(wire.buffer, wire.byteOffset, wire.byteLength);
    const id = view.getUint32(1);
    const total = view.getUint32(5);
    const offset = view.getUint32(9);
    const data = wire.subarray(CHUNK_HEADER_BYTES);
    if (total > this.maxMessageBytes) return { kind: 'error', error: `chunked message of ${total} bytes is over the limit` };
    if (offset + data.byteLength > total) return { kind: 'error', error: 'chunk outside its message' };

    let partial = this.partials.get(id);
    if (partial && partial.total !== total) {
      this.partials.delete(id);
      return { kind: 'error', error: 'chunk disagrees with its message length' };
    }
    if (!partial) {
      if (this.partials.size >= this.maxPartials) this.evictOldest();
      partial = { total, received: 0, pieces: [] };
      this.partials.set(id, partial);
    }
    partial.pieces.push({ offset, data });
    partial.received += data.byteLength;
    if (partial.received < total) return PARTIAL;

    this.partials.delete(id);
    if (partial.received > total) return { kind: 'error', error: 'overlapping chunks' };
    const whole = new Uint8Array(total);
    for (const piece of partial.pieces) whole.set(piece.data, piece.offset);
    return { kind: 'message', data: whole };
  }

  /** Bytes held in incomplete messages. */
  get pendingBytes(): number {
    let n = 0;
    for (const p of this.partials.values()) n += p.received;
    return n;
  }

  clear(): void {
    this.partials.clear();
  }

  private evictOldest(): void {
    const oldest = this.partials.keys().next();
    if (!oldest.done) {
      this.partials.delete(oldest.value);
      this.evicted++;
    }
  }
}

/**
 * A reassembler that also decodes (msgpack + schema): null while a message is incomplete, else
 * the frames or why the message was dropped.
 */
export class FrameReassembler extends Reassembler {
  decode(bytes: Uint8Array): DecodeResult | null {
    const assembled = this.accept(bytes);
    if (assembled.kind === 'partial') return null;
    if (assembled.kind === 'error') return { ok: false, error: assembled.error };
    return decodeFrames(assembled.data);
  }
}

/** A data-channel message as bytes (stacks deliver Buffer, ArrayBuffer or a view); null if not binary. */
export function toBytes(data: unknown): Uint8Array | null {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}
