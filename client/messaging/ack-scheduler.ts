// Batches acknowledgements: one cumulative ack per (sender, stream) for everything that arrived
// in one inbound batch, all acks to one sender in one wire message.
//
// The batch ends with the current task: acks go out on a microtask, never on a timer. A browser
// tab in the background clamps timers to a second or more; a sender waiting for our acks (its
// send results, its unacknowledged-message window) must not wait for that. Acks to a sender we
// are sending data to anyway ride along at once (flushTo).
import type { AckFrame } from '../../shared/frame.js';
import { FrameType } from '../../shared/frame.js';

export interface AckSchedulerOptions {
  send(uid: string, acks: AckFrame[]): void;
  /** Also flush at once when this many acks are waiting, within a batch. Default: only at its end. */
  flushAt?: number;
}

export class AckScheduler {
  /** uid → stream → highest seq to ack */
  private readonly due = new Map<string, Map<string, number>>();
  private waiting = 0;
  private flushQueued = false;
  private destroyed = false;
  private readonly flushAt: number;

  private readonly onMicrotask = (): void => {
    this.flushQueued = false;
    this.flush();
  };

  constructor(private readonly opts: AckSchedulerOptions) {
    this.flushAt = opts.flushAt ?? Infinity;
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
      queueMicrotask(this.onMicrotask);
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
