// Acknowledgements do not wait for timers (a background browser tab clamps them to a second or
// more): the acks for everything that arrived in one inbound batch go out together at the end
// of that batch — cumulative, one per stream, one message per sender — with fake timers that
// never advance. In Node the batch is the event loop's I/O round (Node's own setImmediate, taken
// before any fake replaces it); where there is none, the current task (a microtask).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameType, type Frame } from '../shared/frame.js';
import { LinkLayer } from '../client/link-layer.js';
import { Messenger } from '../client/messaging/messenger.js';
import type { RelayPath, RelayPathEvents } from '../client/transport/types.js';
import { TypedEmitter } from '../client/typed-emitter.js';
import { AckScheduler } from '../client/messaging/ack-scheduler.js';
import { quietLogger } from './helpers/messaging-fakes.js';

/** Node's setImmediate, kept before vi.useFakeTimers() replaces the global. */
const realImmediate = globalThis.setImmediate;
const endOfRound = (): Promise<void> => new Promise((resolve) => realImmediate(resolve));

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
    expect(relay.sent).toEqual([]); // nor at the end of the task: more may have arrived in this round
    await endOfRound();
    expect(relay.sent).toEqual([
      ['alice', [{ t: FrameType.Ack, st: 'u/', s: 149 }]],
      ['bob', [{ t: FrameType.Ack, st: 'u/', s: 9 }]],
    ]);

    // The next batch is acknowledged the same way, still without any timer.
    relay.emit('frames', 'alice', batch('alice', 150, 2));
    await endOfRound();
    expect(relay.sent.at(-1)).toEqual(['alice', [{ t: FrameType.Ack, st: 'u/', s: 151 }]]);
    expect(relay.sent).toHaveLength(3);
    messenger.destroy();
    links.destroy();
  });

  it('without setImmediate (browsers) the batch ends with the task: acks go on a microtask', async () => {
    vi.useFakeTimers();
    const sent: Array<[string, unknown[]]> = [];
    // A browser's queueMicrotask throws "Illegal invocation" when called with another `this`
    // (as a method of the scheduler would be); this stand-in does the same.
    const browserQueueMicrotask = function (this: unknown, fn: () => void): void {
      if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation');
      queueMicrotask(fn);
    };
    const acks = new AckScheduler({ send: (uid, a) => sent.push([uid, a]), defer: browserQueueMicrotask });
    acks.schedule('a', 'u/', 1);
    acks.schedule('a', 'u/', 2);
    expect(sent).toEqual([]);
    await Promise.resolve();
    expect(sent).toEqual([['a', [{ t: FrameType.Ack, st: 'u/', s: 2 }]]]);
    acks.destroy();
  });
});
