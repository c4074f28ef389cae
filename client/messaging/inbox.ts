// The receiver's half of reliable delivery: per (sender, stream) it delivers frames exactly once
// and in sequence order, whichever path each one took, and asks for a cumulative ack.
//
// `f` on a frame is the first seq the sender still owes us; everything before it was delivered
// or given up by the sender. It tells a fresh receiver where the stream starts (so a frame that
// overtook its predecessors during a path switch is held back, not taken as the start) and tells
// a receiver stuck on a hole the sender abandoned (timeout) to move past it.
//
// A frame's stream id is read here once: whether the stream is welcome (admit) and what the
// delivered message is (deliver) both get the parsed stream.
import { parseStream, type MessageFrame } from '../../shared/frame.js';
import type { Logger } from '../base-types.js';

interface StreamState {
  /** Next seq to deliver; undefined until the first reliable frame on this stream. */
  expected?: number;
  /** Frames that arrived ahead of `expected`. */
  readonly buffer: Map<number, MessageFrame>;
  /** Payload bytes held in `buffer`. */
  bytes: number;
}

/** A parsed stream id: a room broadcast, or user messages inside room `roomId` ('' = outside rooms). */
export type Stream = NonNullable<ReturnType<typeof parseStream>>;

export interface InboxOptions {
  deliver(from: string, frame: MessageFrame, stream: Stream): void;
  /**
   * Whether frames of `stream` from `from` are taken at all. Refused frames are not acknowledged:
   * the sender's resend gets through once they are welcome. Default: every stream.
   */
  admit?(from: string, stream: Stream, quiet: boolean): boolean;
  /** Ask for an ack of everything up to `s` (cumulative) to go back to `from`. */
  ack(from: string, stream: string, s: number): void;
  /** Frames held back per stream before newer ones are dropped (the sender resends them). Default 10000. */
  maxBuffered?: number;
  /**
   * Payload bytes held back per stream before newer frames are dropped. Bounds what a sender
   * (e.g. a hostile peer sending far-ahead seqs) can make us hold. Default 16 MiB.
   */
  maxBufferedBytes?: number;
  logger?: Logger;
}

const key = (from: string, stream: string): string => `${from}\n${stream}`;
/** What a held frame costs: its payload (string length is close enough) plus some overhead. */
const frameBytes = (frame: MessageFrame): number => 64 + (typeof frame.d === 'string' ? frame.d.length : frame.d.byteLength);

export class Inbox {
  private readonly streams = new Map<string, StreamState>();
  private readonly maxBuffered: number;
  private readonly maxBufferedBytes: number;

  constructor(private readonly opts: InboxOptions) {
    this.maxBuffered = opts.maxBuffered ?? 10_000;
    this.maxBufferedBytes = opts.maxBufferedBytes ?? 16 * 1024 * 1024;
  }

  /**
   * `quiet`: a frame delivered in order needs no ack of its own (a room broadcast through the
   * server, confirmed to its sender by the hand-off); duplicates and gaps are still acknowledged,
   * so the sender learns where we are stuck.
   */
  receive(from: string, frame: MessageFrame, quiet = false): void {
    const { s, f, st } = frame;
    const stream = parseStream(st);
    if (!stream) {
      this.opts.logger?.debug?.(`dropping frame on unknown stream ${st} from ${from}`);
      return;
    }
    if (this.opts.admit && !this.opts.admit(from, stream, quiet)) return;
    if (s === undefined) {
      this.opts.deliver(from, frame, stream);
      return;
    }
    const k = key(from, st);
    let state = this.streams.get(k);
    if (!state) this.streams.set(k, (state = { buffer: new Map(), bytes: 0 }));
    if (f !== undefined && (state.expected === undefined || f > state.expected)) {
      state.expected = f;
      for (const held of [...state.buffer.keys()]) if (held < f) this.unbuffer(state, held);
    }
    if (state.expected === undefined) state.expected = s;
    if (s < state.expected) {
      // A duplicate (retransmission or the other path's copy): ack again, the first ack may be lost.
      this.opts.ack(from, st, state.expected - 1);
      return;
    }
    if (s > state.expected) {
      // A quiet stream's gap is reported once, when it opens: the sender's server leg is in order,
      // so a gap there is a broadcast waiting for the room's budget (it comes) or one given up.
      const report = !quiet || state.buffer.size === 0;
      if (!state.buffer.has(s)) {
        const size = frameBytes(frame);
        if (state.buffer.size >= this.maxBuffered || state.bytes + size > this.maxBufferedBytes) {
          this.opts.logger?.warn(`inbox: reorder buffer full for ${from} ${st}, dropping seq ${s}`);
        } else {
          state.buffer.set(s, frame);
          state.bytes += size;
        }
      }
      // Tells the sender where we are stuck; it resends from there.
      if (report) this.opts.ack(from, st, state.expected - 1);
      return;
    }
    this.opts.deliver(from, frame, stream);
    let next = s + 1;
    for (let held = state.buffer.get(next); held; held = state.buffer.get(next)) {
      this.unbuffer(state, next);
      this.opts.deliver(from, held, stream);
      next++;
    }
    state.expected = next;
    if (!quiet || next > s + 1) this.opts.ack(from, st, next - 1);
  }

  private unbuffer(state: StreamState, seq: number): void {
    const frame = state.buffer.get(seq);
    if (!frame) return;
    state.buffer.delete(seq);
    state.bytes -= frameBytes(frame);
  }

  /** Forgets one (sender, stream) sequence: the sender left the room, or we did. */
  reset(from: string, stream: string): void {
    this.streams.delete(key(from, stream));
  }

  /** Forgets every sender's sequence on `stream`. */
  resetStream(stream: string): void {
    const suffix = `\n${stream}`;
    for (const k of [...this.streams.keys()]) if (k.endsWith(suffix)) this.streams.delete(k);
  }

  resetAll(): void {
    this.streams.clear();
  }

  /** Frames held back waiting for a predecessor, over all streams. */
  get buffered(): number {
    let n = 0;
    for (const state of this.streams.values()) n += state.buffer.size;
    return n;
  }
}
