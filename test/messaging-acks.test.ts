// Acknowledgements do not wait for timers (a background browser tab clamps them to a second or
// more): the acks for everything that arrived in one inbound batch go out together at the end
// of that batch — cumulative, one per stream, one message per sender — with fake timers that
// never advance.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameType, type Frame } from '../shared/frame.js';
import { LinkLayer } from '../client/link-layer.js';
import { Messenger } from '../client/messaging/messenger.js';
import type { RelayPath, RelayPathEvents } from '../client/transport/types.js';
import { TypedEmitter } from '../client/typed-emitter.js';
import { quietLogger } from './helpers/messaging-fakes.js';

/** A relay that only records what is sent through it. */
class RecordingRelay extends TypedEmitter<RelayPathEvents> implements RelayPath {
  readonly sent: Array<[string, Frame[]]> = [];
  isUp(): boolean {
    return true;
  }
  async sendTo(uid: string, frames: Frame[]): Promise<number> {
    this.sent.push([uid, frames]);
    return 0;
  }
  async sendRoom(): Promise<number> {
    return 0;
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('acks without timers', () => {
  it('one cumulative ack per stream and sender for a whole inbound batch, sent when the batch ends', async () => {
    vi.useFakeTimers(); // never advanced: nothing below may depend on a timer firing
    const relay = new RecordingRelay();
    const links = new LinkLayer({ logger: quietLogger, factory: () => null, context: () => { throw new Error('no links'); }, sendSignal: () => undefined });
    const messenger = new Messenger({
      relay, links, logger: quietLogger, messageTimeoutMs: () => 30_000, resendAfterMs: () => 3_000, acceptsRoom: () => true,
    });
    const received: string[] = [];
    messenger.on('message', (from, _kind, _roomId, data) => received.push(`${from}:${String(data)}`));
    const batch = (from: string, first: number, n: number): Frame[] =>
      Array.from({ length: n }, (_, i) => ({ t: FrameType.Message, st: 'u/', s: first + i, f: first, d: `${from}${i}` }));

    relay.emit('frames', 'alice', batch('alice', 100, 50));
    relay.emit('frames', 'bob', batch('bob', 7, 3));
    expect(received).toHaveLength(53);
    expect(relay.sent).toEqual([]); // not one ack per message: the batch is still being handled
    await Promise.resolve();
    await Promise.resolve();
    expect(relay.sent).toEqual([
      ['alice', [{ t: FrameType.Ack, st: 'u/', s: 149 }]],
      ['bob', [{ t: FrameType.Ack, st: 'u/', s: 9 }]],
    ]);

    // The next batch is acknowledged the same way, still without any timer.
    relay.emit('frames', 'alice', batch('alice', 150, 2));
    await Promise.resolve();
    await Promise.resolve();
    expect(relay.sent.at(-1)).toEqual(['alice', [{ t: FrameType.Ack, st: 'u/', s: 151 }]]);
    expect(relay.sent).toHaveLength(3);
    messenger.destroy();
    links.destroy();
  });
});
