// The room broadcasts we sent lately, for members that may have missed some of them.
//
// A broadcast through the server counts as delivered to a member once the server hands it to
// that member's connection (no ack per member per broadcast through the server). A member whose
// connection dropped in between — its socket gone before the frame reached it, or out of the
// room while it reconnects within the drop grace — gets what it may have missed from here: when
// it rejoins, and when its ack shows it is stuck below frames we handed it. Bounded by age and
// count: what is older is gone (the replay then starts with an `f` past it).
import type { MessageFrame } from '../../shared/frame.js';

interface Sent {
  readonly seq: number;
  readonly frame: MessageFrame;
  readonly at: number;
}

export interface RoomHistoryOptions {
  /** Frames kept per room, at most. */
  maxFrames: number;
  /** Frames older than this are forgotten. */
  maxAgeMs(): number;
  now(): number;
}

export class RoomHistory {
  /** stream → frames in seq order */
  private readonly rooms = new Map<string, Sent[]>();

  constructor(private readonly opts: RoomHistoryOptions) {}

  add(stream: string, seq: number, frame: MessageFrame): void {
    let sent = this.rooms.get(stream);
    if (!sent) this.rooms.set(stream, (sent = []));
    sent.push({ seq, frame, at: this.opts.now() });
    this.trim(sent);
  }

  /** Frames of `stream` with seq in [from, to], sent at or before `sentBefore`. */
  range(stream: string, from: number, to: number, sentBefore: number): MessageFrame[] {
    const sent = this.rooms.get(stream);
    if (!sent) return [];
    this.trim(sent);
    const out: MessageFrame[] = [];
    for (const s of sent) {
      if (s.seq > to || s.at > sentBefore) break;
      if (s.seq >= from) out.push(s.frame);
    }
    return out;
  }

  /** Forgets one frame (its message failed: it must not reach anyone later). */
  remove(stream: string, seq: number): void {
    const sent = this.rooms.get(stream);
    const at = sent?.findIndex((s) => s.seq === seq) ?? -1;
    if (at >= 0) sent!.splice(at, 1);
  }

  drop(stream: string): void {
    this.rooms.delete(stream);
  }

  clear(): void {
    this.rooms.clear();
  }

  private trim(sent: Sent[]): void {
    const cutoff = this.opts.now() - this.opts.maxAgeMs();
    let n = Math.max(0, sent.length - this.opts.maxFrames);
    while (n < sent.length && sent[n].at < cutoff) n++;
    if (n > 0) sent.splice(0, n);
  }
}
