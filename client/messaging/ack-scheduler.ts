// Batches acknowledgements: one cumulative ack per (sender, stream) for everything that arrived
// in one inbound batch, all acks to one sender in one wire message.
//
// The batch ends with the event loop's I/O round where there is setImmediate (Node): every
// message that arrived together is delivered first, and acknowledged in one go after. A worker
// that holds several engines of one room (or an app that reads a burst) would otherwise pay a
// native send() per delivery between deliveries: ~50 µs each on node-datachannel, queued in
// front of the next member's message. Elsewhere (browsers) the batch ends with the current task:
// a microtask, never a timer, since a background tab clamps timers to a second or more and a
// sender waiting for our acks (its send results, its unacknowledged-message window) must not
// wait for that. Acks to a sender we are sending data to anyway ride along at once (flushTo).
import type { AckFrame } from '../../shared/frame.js';
import { FrameType } from '../../shared/frame.js';

export interface AckSchedulerOptions {
  send(uid: string, acks: AckFrame[]): void;
  /** Also flush at once when this many acks are waiting, within a batch. Default: only at its end. */
  flushAt?: number;
  /** Runs the end of a batch. Default: setImmediate where it exists (Node), else queueMicrotask. */
  defer?: (fn: () => void) => void;
}

/** Taken once, at load: Node's own setImmediate, whatever replaces the global later. */
const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
// Wrapped, never stored bare: called as this.defer(), a browser's queueMicrotask would get the
// scheduler as `this` and throw "Illegal invocation".
const endOfRound: (fn: () => void) => void = typeof immediate === 'function' ? (fn) => void immediate(fn) : (fn) => queueMicrotask(fn);

export class AckScheduler {
  /** uid → stream → highest seq to ack */
  private readonly due = new Map<string, Map<string, number>>();
  private waiting = 0;
  private flushQueued = false;
  private destroyed = false;
  private readonly flushAt: number;
  private readonly defer: (fn: () => void) => void;

  private readonly onBatchEnd = (): void => {
    this.flushQueued = false;
    this.flush();
  };

  constructor(private readonly opts: AckSchedulerOptions) {
    this.flushAt = opts.flushAt ?? Infinity;
    const injected = opts.defer;
    this.defer = injected ? (fn) => injected(fn) : endOfRound;
  }

  schedule(uid: string, stream: string, s: number): void {
    if (s < 0 || this.destroyed) return;
    let byStream = this.due.get(uid);
    if (!byStream) this.due.set(uid, (byStream = new Map()));
    byStream.set(stream, Math.max(byStream.get(stream) ?? 0, s));
    if (++this.waiting >= this.flushAt) {
      this.flush();
      return;
    }
    if (!this.flushQueued) {
      this.flushQueued = true;
      this.defer(this.onBatchEnd);
    }
  }

  flush(): void {
    this.waiting = 0;
    // Usually empty: the acks rode along with data sent in the same tick (flushTo).
    if (this.due.size === 0) return;
    const due = [...this.due];
    this.due.clear();
    for (const [uid, byStream] of due) this.opts.send(uid, acksOf(byStream));
  }

  /**
   * Sends the acks waiting for `uid` now. Called when data goes to `uid` anyway: queued in the
   * same tick, the acks ride in the same wire message (link) or emit (relay) instead of costing
   * one of their own.
   */
  flushTo(uid: string): void {
    const byStream = this.due.get(uid);
    if (!byStream) return;
    this.due.delete(uid);
    if (this.due.size === 0) this.waiting = 0;
    this.opts.send(uid, acksOf(byStream));
  }

  /** Drops acks waiting for `uid` (it left; its sender state is gone too). */
  forget(uid: string): void {
    this.due.delete(uid);
  }

  /** Drops every waiting ack (logout); a later schedule starts afresh. */
  reset(): void {
    this.due.clear();
    this.waiting = 0;
  }

  destroy(): void {
    this.reset();
    this.destroyed = true;
  }
}

function acksOf(byStream: Map<string, number>): AckFrame[] {
  return [...byStream].map(([st, s]) => ({ t: FrameType.Ack, st, s }));
}
