// Flow control for one data channel.
//
// - Coalescing: frames queued in the same tick leave as one wire message (one encodeFrames of
//   the batch), up to ~coalesceBytes each. Fewer, larger send() calls is what makes throughput:
//   @roamhq/wrtc's send() costs ~150 µs per call whatever the size.
// - Chunking: a wire message over maxWireBytes (a single big frame) is split (chunking.ts).
// - Backpressure: @roamhq/wrtc has no 'bufferedamountlow' event and silently drops data once its
//   native send buffer passes 16 MiB; browsers close the channel when theirs is full. So nothing
//   is handed to the channel while bufferedAmount is at or above highWaterMark; the rest waits
//   here, in JS, and bufferedAmount is polled (plus 'bufferedamountlow' where it exists).
// - Unreliable channels: a queue deeper than maxQueuedBytes drops new frames (they are allowed
//   to be lost, and a late unreliable frame is worth little); reliable ones never drop.
import { encodeFramesView, FrameType, MAX_FRAMES_PER_BATCH, type Frame } from '../../shared/frame.js';
import { coalesceBytesFor, DEFAULT_MAX_WIRE_MESSAGE_BYTES, splitMessage } from './chunking.js';

/** What the writer needs from an RTCDataChannel (browser, wrtc and the ndc polyfill all fit). */
export interface WritableChannel {
  readonly readyState: RTCDataChannelState;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold?: number;
  send(data: Uint8Array): void;
  addEventListener?(type: 'bufferedamountlow' | 'open' | 'close', fn: () => void): void;
  removeEventListener?(type: 'bufferedamountlow' | 'open' | 'close', fn: () => void): void;
}

export interface ChannelWriterOptions {
  /** Stop handing data to the channel while its bufferedAmount is at least this. Default 2 MiB. */
  highWaterMark?: number;
  /** How often bufferedAmount is polled while above the high-water mark (ms). Default 2. */
  pollMs?: number;
  /**
   * Target size of a coalesced wire message (estimated). Default: a margin under the largest
   * message the remote takes (coalesceBytesFor): 60 KiB for 64 KiB, 240 KiB for 256 KiB.
   */
  coalesceBytes?: number;
  /** Largest data-channel message; bigger wire messages are chunked. Default 64 KiB. */
  maxWireBytes?: number;
  /** Queue depth at which new frames are dropped; Infinity = never drop. Default Infinity. */
  maxQueuedBytes?: number;
}

export type ResolvedWriterOptions = Required<ChannelWriterOptions>;

export const RELIABLE_WRITER_DEFAULTS: ResolvedWriterOptions = Object.freeze({
  highWaterMark: 2 * 1024 * 1024,
  pollMs: 2,
  coalesceBytes: coalesceBytesFor(DEFAULT_MAX_WIRE_MESSAGE_BYTES),
  maxWireBytes: DEFAULT_MAX_WIRE_MESSAGE_BYTES,
  maxQueuedBytes: Infinity,
});

/** Unreliable traffic is latency-sensitive: keep both buffers shallow and drop beyond them. */
export const UNRELIABLE_WRITER_DEFAULTS: ResolvedWriterOptions = Object.freeze({
  ...RELIABLE_WRITER_DEFAULTS,
  highWaterMark: 256 * 1024,
  maxQueuedBytes: 256 * 1024,
});

/**
 * A link's writer defaults towards a remote taking data-channel messages of up to `maxWireBytes`:
 * reliable batches fill them; unreliable ones stay small, since one lost packet loses the whole
 * message it belongs to.
 */
export function writerDefaultsFor(maxWireBytes: number): { reliable: ResolvedWriterOptions; unreliable: ResolvedWriterOptions } {
  return {
    reliable: { ...RELIABLE_WRITER_DEFAULTS, maxWireBytes, coalesceBytes: coalesceBytesFor(maxWireBytes) },
    unreliable: { ...UNRELIABLE_WRITER_DEFAULTS, maxWireBytes },
  };
}

/** Rough encoded size of a frame: enough to group frames, exactness is not needed. */
function estimateFrameBytes(f: Frame): number {
  const base = 16 + f.st.length;
  if (f.t !== FrameType.Message) return base;
  return base + (typeof f.d === 'string' ? f.d.length : f.d.byteLength);
}

export class ChannelWriter {
  private readonly opts: ResolvedWriterOptions;
  private queue: Frame[] = [];
  private sizes: number[] = [];
  private head = 0;
  private queued = 0;
  private flushScheduled = false;
  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  private messageId = 0;
  private closed = false;
  /**
   * An upper bound of the channel's bufferedAmount: its value when last read plus every byte
   * handed over since (the channel only ever drains). bufferedAmount is a blocking native call
   * in @roamhq/wrtc (a hop to its network thread, often as slow as send() itself under load), so
   * it is read only when this bound reaches the high-water mark: the writer is then exactly as
   * strict as reading it before every batch, and a lone message pays for send() alone.
   */
  private bufferedBound = Infinity;
  /**
   * The channel was seen open (a read of readyState, or its 'open' event) and has not closed
   * since. readyState is a blocking native call in @roamhq/wrtc too, so it is read only while
   * this is false: on an open channel a batch costs send() alone, as for a bare channel. A
   * channel that went away in between makes send() throw (every stack does, as the spec says),
   * which ends the link just as the read would have.
   */
  private knownOpen = false;

  bytesSent = 0;
  messagesSent = 0;
  framesDropped = 0;

  constructor(
    private readonly channel: WritableChannel,
    opts: ChannelWriterOptions,
    defaults: ResolvedWriterOptions,
    /** Called once when the channel refuses data (closed underneath us); the link then goes down. */
    private readonly onSendError: (error: Error) => void,
  ) {
    this.opts = { ...defaults, ...stripUndefined(opts) };
    // A caller's own largest message and no coalescing target of its own: batches follow it.
    if (opts.maxWireBytes !== undefined && opts.coalesceBytes === undefined) {
      this.opts.coalesceBytes = coalesceBytesFor(this.opts.maxWireBytes);
    }
    if (typeof channel.bufferedAmountLowThreshold === 'number' && channel.addEventListener) {
      channel.bufferedAmountLowThreshold = Math.floor(this.opts.highWaterMark / 2);
      channel.addEventListener('bufferedamountlow', this.onDrain);
    }
    channel.addEventListener?.('open', this.onDrain);
    channel.addEventListener?.('close', this.onClose);
  }

  /** Estimated bytes waiting in JS (not yet handed to the channel). */
  get queuedBytes(): number {
    return this.queued;
  }

  /** Queues frames; false when they were dropped (unreliable queue full, or writer closed). */
  enqueue(frames: readonly Frame[]): boolean {
    if (this.closed) return false;
    if (this.queued >= this.opts.maxQueuedBytes) {
      this.framesDropped += frames.length;
      return false;
    }
    for (const f of frames) {
      const size = estimateFrameBytes(f);
      this.queue.push(f);
      this.sizes.push(size);
      this.queued += size;
    }
    if (!this.flushScheduled && this.pollTimer === null) {
      this.flushScheduled = true;
      queueMicrotask(this.onMicrotask);
    }
    return true;
  }

  /** Sends as much as the channel's buffer allows; re-arms the poll for the rest. */
  flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.head === this.queue.length) return;
    if (this.pollTimer !== null) {
      clearTimeout(this.pollTimer);
      this.pollTimer = null;
    }
    const state = this.knownOpen ? 'open' : this.channel.readyState;
    if (state === 'open') {
      this.knownOpen = true;
      try {
        if (this.bufferedBound >= this.opts.highWaterMark) this.bufferedBound = this.channel.bufferedAmount;
        while (this.head < this.queue.length && this.bufferedBound < this.opts.highWaterMark) {
          this.bufferedBound += this.sendBatch();
        }
      } catch (e) {
        this.fail(e as Error);
        return;
      }
      this.compact();
    } else if (state !== 'connecting') {
      this.fail(new Error(`data channel is ${state}`));
      return;
    }
    if (this.head < this.queue.length) this.pollTimer = setTimeout(this.onPoll, this.opts.pollMs);
  }

  /** Drops the queue and stops every timer. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pollTimer !== null) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.queue = [];
    this.sizes = [];
    this.head = 0;
    this.queued = 0;
    this.channel.removeEventListener?.('bufferedamountlow', this.onDrain);
    this.channel.removeEventListener?.('open', this.onDrain);
    this.channel.removeEventListener?.('close', this.onClose);
  }

  private readonly onPoll = (): void => {
    this.pollTimer = null;
    this.flush();
  };

  /** 'bufferedamountlow' or 'open': the bound is stale, read the real value next time. */
  private readonly onDrain = (): void => {
    this.bufferedBound = Infinity;
    this.flush();
  };

  private readonly onClose = (): void => {
    this.knownOpen = false;
  };

  private readonly onMicrotask = (): void => this.flush();

  /** Sends one coalesced wire message (maybe as chunks); returns the bytes handed over. */
  private sendBatch(): number {
    const start = this.head;
    let end = start;
    let bytes = 0;
    // At least one frame, then as many as fit the coalescing target and a receiver's frame count.
    const last = Math.min(this.queue.length, start + MAX_FRAMES_PER_BATCH);
    do {
      bytes += this.sizes[end];
      end++;
    } while (end < last && bytes + this.sizes[end] <= this.opts.coalesceBytes);
    // A view of the encoder's buffer: send() copies it (every stack does), chunks are copies.
    const wire = encodeFramesView(this.queue.slice(start, end));
    this.head = end;
    this.queued -= bytes;
    if (wire.byteLength <= this.opts.maxWireBytes) {
      this.sendWire(wire);
    } else {
      this.messageId = (this.messageId + 1) >>> 0;
      for (const chunk of splitMessage(wire, this.messageId, this.opts.maxWireBytes)) this.sendWire(chunk);
    }
    return wire.byteLength;
  }

  private sendWire(data: Uint8Array): void {
    this.channel.send(data);
    this.bytesSent += data.byteLength;
    this.messagesSent++;
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.sizes = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }

  private fail(error: Error): void {
    this.close();
    this.onSendError(error);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
