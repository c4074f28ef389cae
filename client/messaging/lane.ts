// One lane of the outbox: the frames one receiver owes us an ack for on one stream, and when to
// send them again.
//
// The resend timeout follows the lane's measured round trips as TCP's does (RFC 6298): SRTT and
// RTTVAR from every ack of a frame sent once (Karn's rule: a resent frame's ack is ambiguous and
// not sampled), RTO = SRTT + 4·RTTVAR clamped to [minRto, maxRto], doubled at every expiry and
// reset by the next ack that moves the lane forward. The timer runs from the later of the oldest
// frame's send and the lane's last progress, so nothing is resent while acks keep coming.
import type { MessageFrame } from '../../shared/frame.js';

export type Via = 'link' | 'relay';
export type MessageKind = 'user' | 'room';

/** One message as the API sees it: a msgId whose result waits for every recipient's ack. */
export interface TrackedMessage {
  readonly msgId: number;
  readonly kind: MessageKind;
  readonly stream: string;
  /** Recipients that still owe an acknowledgement. */
  readonly owers: Set<string>;
  readonly createdAt: number;
  readonly entries: Array<{ lane: Lane; seq: number }>;
  done: boolean;
  readonly onResult: (code: number) => void;
}

/** One frame one receiver still owes an ack for, as the Outbox's callers see it (a handle). */
export interface PendingEntry {
  /** The receiver. */
  readonly uid: string;
  readonly msg: TrackedMessage;
}

/** The Outbox's own view of a pending entry. */
export interface Entry extends PendingEntry {
  readonly lane: Lane;
  readonly seq: number;
  readonly frame: MessageFrame;
  /** The path it went on last; null while it waits for room in the lane's window. */
  via: Via | null;
  sentAt: number;
  /** Sent more than once: its ack is not a round-trip sample (Karn). */
  resent: boolean;
  /** A relay request for it is outstanding: the server path is reliable, no resend meanwhile. */
  awaitingReply: boolean;
}

/** Timer bounds in ms, from the messenger's options. */
export interface RtoBounds {
  /** RTO before the first sample. */
  initial: number;
  min: number;
  max: number;
}

/** Nothing due (shared: callers only read it). */
const NONE: readonly Entry[] = [];

/** Sent, and not waiting for the server's reply to its relay request (which covers it meanwhile). */
const resendable = (e: Entry): boolean => e.via !== null && !e.awaitingReply;

export class Lane {
  /** Next sequence for user streams (room streams use the room counter). */
  next: number;
  /** Unacknowledged frames by seq; insertion order is seq order. */
  readonly pending = new Map<number, Entry>();
  /** Entries sent and not yet acknowledged (the window's fill); the rest of `pending` waits. */
  inFlight = 0;
  /** Highest cumulative ack received (0 = none). */
  highestAck = 0;
  /**
   * The receiver has to acknowledge at least this before frames may omit `f`: the seq just
   * before the first one we owe it, raised past every seq we gave up on (timeout, rejection),
   * so a receiver waiting for an abandoned frame learns to skip it.
   */
  mustPass: number;
  /**
   * Highest seq the server confirmed handing to the receiver's connection (room broadcasts):
   * counted as delivered, but not acknowledged, so no `f` may pass it (it may still be on its way).
   */
  lastHanded = 0;
  /** Last time an ack (or a hand-off) moved this lane forward. */
  lastProgress = 0;
  /** Since when the receiver reports a gap below what we handed it (0: it does not). */
  stuckSince = 0;
  private srtt: number | undefined;
  private rttvar = 0;
  private backoff = 0;

  constructor(
    readonly uid: string,
    readonly stream: string,
    readonly firstOwed: number,
    /** The room whose shared counter numbers this lane; null for a user stream (own counter). */
    readonly roomId: string | null,
  ) {
    this.next = firstOwed;
    this.mustPass = firstOwed - 1;
  }

  get needsFirst(): boolean {
    return this.highestAck < this.mustPass;
  }

  /** The `f` to put on a frame: every seq below it is acknowledged or abandoned. */
  firstOwedNow(fallback: number): number {
    let f = fallback;
    for (const seq of this.pending.keys()) {
      f = Math.min(seq, f);
      break;
    }
    // Handed to the server but not acknowledged: the receiver may not have it yet.
    if (this.lastHanded > this.highestAck) f = Math.min(f, Math.max(this.highestAck + 1, this.firstOwed));
    return f;
  }

  /** Queued entries that fit in the window now, marked in flight, in seq order. */
  takeQueued(window: number): Entry[] {
    const out: Entry[] = [];
    for (const entry of this.pending.values()) {
      if (this.inFlight >= window) break;
      if (entry.via !== null) continue;
      entry.via = 'relay'; // nominal until Outbox.sent
      this.inFlight++;
      out.push(entry);
    }
    return out;
  }

  /** If the timer expired: the entries to send again (and the next timeout doubles). */
  due(now: number, bounds: RtoBounds): readonly Entry[] {
    if (this.inFlight === 0) return NONE;
    // Asked for every busy lane ten times a second: nothing is allocated until the timer expired.
    let oldest: Entry | undefined;
    for (const e of this.pending.values()) {
      if (resendable(e)) {
        oldest = e;
        break;
      }
    }
    if (!oldest || now < Math.max(oldest.sentAt, this.lastProgress) + this.rto(bounds)) return NONE;
    this.expired();
    const out: Entry[] = [];
    for (const e of this.pending.values()) if (resendable(e)) out.push(e);
    return out;
  }

  /** A round trip measured on this lane (RFC 6298 §2). */
  sample(ms: number): void {
    const r = Math.max(0, ms);
    if (this.srtt === undefined) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
  }

  /** Acks are flowing again: the backoff ends. */
  progressed(now: number): void {
    this.lastProgress = now;
    this.backoff = 0;
  }

  rto(b: RtoBounds): number {
    const base = this.srtt === undefined ? b.initial : Math.min(b.max, Math.max(b.min, this.srtt + 4 * this.rttvar));
    return Math.min(b.max, base * 2 ** this.backoff);
  }

  /** The timer expired: the next timeout is twice as long (RFC 6298 §5.5). */
  expired(): void {
    this.backoff = Math.min(this.backoff + 1, 16);
  }

  get smoothedRtt(): number | undefined {
    return this.srtt;
  }
}
