// Batches acknowledgements: one cumulative ack per (sender, stream) per short window, all acks to
// one sender in one wire message. Sent at once when many deliveries wait, so a fast stream's
// sender does not sit on a large unacknowledged backlog.
import type { AckFrame } from '../../shared/frame.js';
import { FrameType } from '../../shared/frame.js';

export interface AckSchedulerOptions {
  send(uid: string, acks: AckFrame[]): void;
  /** How long acks wait to be batched. Default 5 ms. */
  delayMs?: number;
  /** Flush at once when this many acks are waiting. Default 64. */
  flushAt?: number;
}

export class AckScheduler {
  /** uid → stream → highest seq to ack */
  private readonly due = new Map<string, Map<string, number>>();
  private waiting = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly delayMs: number;
  private readonly flushAt: number;

  constructor(private readonly opts: AckSchedulerOptions) {
    this.delayMs = opts.delayMs ?? 5;
    this.flushAt = opts.flushAt ?? 64;
  }

  schedule(uid: string, stream: string, s: number): void {
    if (s < 0) return;
    let byStream = this.due.get(uid);
    if (!byStream) this.due.set(uid, (byStream = new Map()));
    byStream.set(stream, Math.max(byStream.get(stream) ?? 0, s));
    if (++this.waiting >= this.flushAt) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.waiting = 0;
    const due = [...this.due];
    this.due.clear();
    for (const [uid, byStream] of due) {
      const acks: AckFrame[] = [];
      for (const [st, s] of byStream) acks.push({ t: FrameType.Ack, st, s });
      this.opts.send(uid, acks);
    }
  }

  /**
   * Sends the acks waiting for `uid` now. Called when data goes to `uid` anyway: queued in the
   * same tick, the acks ride in the same wire message (link) or emit (relay) instead of costing
   * one of their own when the timer fires.
   */
  flushTo(uid: string): void {
    const byStream = this.due.get(uid);
    if (!byStream) return;
    this.due.delete(uid);
    if (this.due.size === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.waiting = 0;
    }
    const acks: AckFrame[] = [];
    for (const [st, s] of byStream) acks.push({ t: FrameType.Ack, st, s });
    this.opts.send(uid, acks);
  }

  /** Drops acks waiting for `uid` (it left; its sender state is gone too). */
  forget(uid: string): void {
    this.due.delete(uid);
  }

  destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.due.clear();
    this.waiting = 0;
  }
}
