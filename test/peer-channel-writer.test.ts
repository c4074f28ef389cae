// The data-channel writer: what it asks of the native channel per batch. On @roamhq/wrtc every
// readyState / bufferedAmount read is a blocking hop to its network thread, as costly as send().
import { describe, expect, it } from 'vitest';
import { ChannelWriter, RELIABLE_WRITER_DEFAULTS, type WritableChannel } from '../client/peer/channel-writer.js';
import { FrameType, type Frame } from '../shared/frame.js';

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
});
