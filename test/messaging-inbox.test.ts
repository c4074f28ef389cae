// The receiver's ordering rules: deliver once and in order, hold back early frames, re-ack
// duplicates, start where `f` says, skip holes the sender gave up on, bound the buffer.
import { describe, expect, it } from 'vitest';
import type { MessageFrame } from '../shared/frame.js';
import { Inbox } from '../client/messaging/inbox.js';
import { AckScheduler } from '../client/messaging/ack-scheduler.js';
import { sleep } from './helpers/messaging-fakes.js';

function harness(maxBuffered?: number) {
  const delivered: string[] = [];
  const acks: Array<[string, string, number]> = [];
  const warnings: string[] = [];
  const inbox = new Inbox({
    maxBuffered,
    deliver: (_from, f) => delivered.push(String(f.d)),
    ack: (from, st, s) => acks.push([from, st, s]),
    logger: { warn: (m) => warnings.push(m), error: () => undefined },
  });
  const frame = (s: number | undefined, d: string, f?: number, st = 'u/'): MessageFrame => {
    const fr: MessageFrame = { t: 0, st, d };
    if (s !== undefined) fr.s = s;
    if (f !== undefined) fr.f = f;
    return fr;
  };
  return { inbox, delivered, acks, warnings, frame };
}

describe('inbox', () => {
  it('delivers in sequence order whatever the arrival order, and acks cumulatively', () => {
    const { inbox, delivered, acks, frame } = harness();
    inbox.receive('a', frame(12, 'c', 10));
    inbox.receive('a', frame(11, 'b', 10));
    expect(delivered).toEqual([]);
    inbox.receive('a', frame(10, 'a', 10));
    expect(delivered).toEqual(['a', 'b', 'c']);
    expect(acks.at(-1)).toEqual(['a', 'u/', 12]);
  });

  it('drops duplicates but acknowledges them again', () => {
    const { inbox, delivered, acks, frame } = harness();
    inbox.receive('a', frame(5, 'x', 5));
    inbox.receive('a', frame(5, 'x', 5));
    expect(delivered).toEqual(['x']);
    expect(acks).toEqual([['a', 'u/', 5], ['a', 'u/', 5]]);
  });

  it('without f, the first frame seen starts the stream', () => {
    const { inbox, delivered, frame } = harness();
    inbox.receive('a', frame(100, 'first'));
    inbox.receive('a', frame(101, 'second'));
    expect(delivered).toEqual(['first', 'second']);
  });

  it('f above the expected seq skips a hole the sender gave up on and drops held frames below it', () => {
    const { inbox, delivered, frame } = harness();
    inbox.receive('a', frame(1, 'one', 1));
    inbox.receive('a', frame(3, 'three'));
    inbox.receive('a', frame(5, 'five'));
    expect(delivered).toEqual(['one']);
    inbox.receive('a', frame(5, 'five', 5));
    expect(delivered).toEqual(['one', 'five']);
  });

  it('keeps streams of different senders and rooms apart; reset forgets one', () => {
    const { inbox, delivered, frame } = harness();
    inbox.receive('a', frame(7, 'a-b', undefined, 'b/R'));
    inbox.receive('b', frame(3, 'b-b', undefined, 'b/R'));
    inbox.receive('a', frame(7, 'a-u', undefined, 'u/'));
    expect(delivered).toEqual(['a-b', 'b-b', 'a-u']);
    inbox.resetStream('b/R');
    inbox.receive('a', frame(7, 'a-b again', undefined, 'b/R'));
    inbox.receive('a', frame(7, 'dup', undefined, 'u/'));
    expect(delivered).toEqual(['a-b', 'b-b', 'a-u', 'a-b again']);
  });

  it('unreliable frames (no seq) are delivered at once and not acknowledged', () => {
    const { inbox, delivered, acks, frame } = harness();
    inbox.receive('a', frame(undefined, 'fire and forget'));
    expect(delivered).toEqual(['fire and forget']);
    expect(acks).toEqual([]);
  });

  it('bounds the reorder buffer and logs what it drops', () => {
    const { inbox, warnings, frame } = harness(3);
    inbox.receive('a', frame(10, 'start', 10));
    for (let s = 12; s < 20; s++) inbox.receive('a', frame(s, `x${s}`));
    expect(inbox.buffered).toBe(3);
    expect(warnings.length).toBe(5);
  });
});

describe('ack scheduler', () => {
  it('batches acks per sender into one send with the highest seq per stream', async () => {
    const sent: Array<[string, unknown[]]> = [];
    const acks = new AckScheduler({ send: (uid, a) => sent.push([uid, a]) });
    acks.schedule('a', 'u/', 1);
    acks.schedule('a', 'u/', 3);
    acks.schedule('a', 'b/R', 9);
    acks.schedule('b', 'u/', 2);
    expect(sent).toEqual([]);
    await sleep(20);
    expect(sent).toEqual([
      ['a', [{ t: 1, st: 'u/', s: 3 }, { t: 1, st: 'b/R', s: 9 }]],
      ['b', [{ t: 1, st: 'u/', s: 2 }]],
    ]);
    acks.destroy();
  });

  it('flushes at once when many acks wait, if asked to', () => {
    const sent: unknown[] = [];
    const acks = new AckScheduler({ flushAt: 64, send: (uid, a) => sent.push([uid, a]) });
    for (let i = 1; i <= 64; i++) acks.schedule('a', 'u/', i);
    expect(sent).toEqual([['a', [{ t: 1, st: 'u/', s: 64 }]]]);
    acks.destroy();
  });

  it('sends one sender\'s acks at once when data goes to it (piggyback), the others at the end of the batch', async () => {
    const sent: Array<[string, unknown[]]> = [];
    const acks = new AckScheduler({ send: (uid, a) => sent.push([uid, a]) });
    acks.schedule('a', 'u/', 4);
    acks.schedule('b', 'u/', 7);
    acks.flushTo('a');
    acks.flushTo('c'); // nothing waits for c: nothing sent
    expect(sent).toEqual([['a', [{ t: 1, st: 'u/', s: 4 }]]]);
    await sleep(20);
    expect(sent).toEqual([
      ['a', [{ t: 1, st: 'u/', s: 4 }]],
      ['b', [{ t: 1, st: 'u/', s: 7 }]],
    ]);
    acks.destroy();
  });
});
