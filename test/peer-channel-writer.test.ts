// The data-channel writer: what it asks of the native channel per batch. On @roamhq/wrtc every
// readyState / bufferedAmount read is a blocking hop to its network thread, as costly as send().
import { describe, expect, it } from 'vitest';
import { ChannelWriter, RELIABLE_WRITER_DEFAULTS, writerDefaultsFor, type WritableChannel } from '../client/peer/channel-writer.js';
import { coalesceBytesFor, LARGE_WIRE_MESSAGE_BYTES } from '../client/peer/chunking.js';
import { decodeFrames, FrameType, MAX_FRAMES_PER_BATCH, type Frame } from '../shared/frame.js';

class FakeChannel implements WritableChannel {
  state: RTCDataChannelState = 'open';
  stateReads = 0;
  bufferedReads = 0;
  sent: Uint8Array[] = [];
  throwOnSend = false;
  private readonly listeners = new Map<string, Array<() => void>>();

  get readyState(): RTCDataChannelState {
    this.stateReads++;
    return this.state;
  }

  get bufferedAmount(): number {
    this.bufferedReads++;
    return 0;
  }

  send(data: Uint8Array): void {
    if (this.throwOnSend) throw new Error('InvalidStateError: not open');
    this.sent.push(data.slice());
  }

  addEventListener(type: string, fn: () => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }

  removeEventListener(type: string, fn: () => void): void {
    this.listeners.set(type, (this.listeners.get(type) ?? []).filter((f) => f !== fn));
  }

  fire(type: string): void {
    for (const fn of this.listeners.get(type) ?? []) fn();
  }
}

const frame = (i: number): Frame => ({ t: FrameType.Message, st: 'u/x', s: i, d: `m${i}` }) as unknown as Frame;
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** A writer on a fake channel, and the errors it reports. */
function writerOn(ch: FakeChannel): { w: ChannelWriter; errors: Error[] } {
  const errors: Error[] = [];
  return { w: new ChannelWriter(ch, {}, RELIABLE_WRITER_DEFAULTS, (e) => errors.push(e)), errors };
}

describe('ChannelWriter', () => {
  it('reads readyState once while the channel stays open, not before every batch', async () => {
    const ch = new FakeChannel();
    const { w, errors } = writerOn(ch);
    for (let i = 0; i < 50; i++) {
      w.enqueue([frame(i)]);
      await tick();
    }
    expect(ch.sent).toHaveLength(50);
    expect(ch.stateReads).toBe(1);
    expect(ch.bufferedReads).toBe(1);
    expect(errors).toEqual([]);
  });

  it('after the channel closes, reads readyState again and fails instead of sending', async () => {
    const ch = new FakeChannel();
    const { w, errors } = writerOn(ch);
    w.enqueue([frame(1)]);
    await tick();
    ch.state = 'closed';
    ch.fire('close');
    w.enqueue([frame(2)]);
    await tick();
    expect(ch.sent).toHaveLength(1);
    expect(errors.map((e) => e.message)).toEqual(['data channel is closed']);
    expect(w.enqueue([frame(3)])).toBe(false);
  });

  it('a send that throws (closed underneath, no event yet) fails the writer once', async () => {
    const ch = new FakeChannel();
    const { w, errors } = writerOn(ch);
    w.enqueue([frame(1)]);
    await tick();
    ch.throwOnSend = true;
    w.enqueue([frame(2)]);
    await tick();
    w.enqueue([frame(3)]);
    await tick();
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/InvalidStateError/);
  });

  it('waits for the open event while connecting, then sends what was queued in order', async () => {
    const ch = new FakeChannel();
    ch.state = 'connecting';
    const { w } = writerOn(ch);
    w.enqueue([frame(1)]);
    w.enqueue([frame(2)]);
    await tick();
    expect(ch.sent).toHaveLength(0);
    ch.state = 'open';
    ch.fire('open');
    expect(ch.sent).toHaveLength(1); // both frames coalesced into one wire message
    w.close();
  });

  it('coalesces three 64 KiB messages into one send() when the remote takes 256 KiB, each alone under 64 KiB', async () => {
    const big = (i: number): Frame => ({ t: FrameType.Message, st: 'u/x', s: i, d: new Uint8Array(64 * 1024).fill(i) }) as unknown as Frame;
    const sendSix = async (maxWireBytes: number): Promise<FakeChannel> => {
      const ch = new FakeChannel();
      const opts = writerDefaultsFor(maxWireBytes).reliable;
      const w = new ChannelWriter(ch, {}, opts, (e) => expect.fail(e.message));
      w.enqueue([1, 2, 3, 4, 5, 6].map(big));
      await tick();
      w.close();
      return ch;
    };
    const wide = await sendSix(LARGE_WIRE_MESSAGE_BYTES);
    expect(wide.sent).toHaveLength(2);
    for (const wire of wide.sent) expect(wire.byteLength).toBeLessThanOrEqual(LARGE_WIRE_MESSAGE_BYTES);
    const seqs = wide.sent.flatMap((wire) => {
      const r = decodeFrames(wire);
      if (!r.ok) throw new Error(r.error);
      return r.frames.map((f) => (f as { s: number }).s);
    });
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6]);
    // Under a 64 KiB remote a 64 KiB message is chunked, one message per batch.
    const narrow = await sendSix(64 * 1024);
    expect(narrow.sent.length).toBe(12);
    for (const wire of narrow.sent) expect(wire.byteLength).toBeLessThanOrEqual(64 * 1024);
  });

  it('keeps a margin under the largest message for the frame-size estimate', () => {
    expect(coalesceBytesFor(64 * 1024)).toBe(60 * 1024);
    expect(coalesceBytesFor(256 * 1024)).toBe(240 * 1024);
    expect(coalesceBytesFor(2048)).toBe(0);
    // Unreliable batches stay at 60 KiB whatever the remote takes: a lost packet loses a whole batch.
    expect(writerDefaultsFor(LARGE_WIRE_MESSAGE_BYTES).unreliable.coalesceBytes).toBe(60 * 1024);
  });

  it('never puts more frames in one wire message than a receiver accepts', async () => {
    const ch = new FakeChannel();
    const opts = writerDefaultsFor(LARGE_WIRE_MESSAGE_BYTES).reliable;
    const w = new ChannelWriter(ch, {}, opts, (e) => expect.fail(e.message));
    const ack = (i: number): Frame => ({ t: FrameType.Ack, st: 'u/x', s: i }) as unknown as Frame;
    w.enqueue(Array.from({ length: MAX_FRAMES_PER_BATCH + 10 }, (_, i) => ack(i)));
    await tick();
    w.close();
    expect(ch.sent).toHaveLength(2);
    const counts = ch.sent.map((wire) => {
      const r = decodeFrames(wire);
      if (!r.ok) throw new Error(r.error);
      return r.frames.length;
    });
    expect(counts).toEqual([MAX_FRAMES_PER_BATCH, 10]);
  });
});
