// Room broadcasts whose leg through the server waits for the room's budget.
//
// The server refuses a relay:room over the room's rate (SPEC §5: 100 messages/s per room) with
// ExceedQPS. Bursts from many senders hit that even when each sender stays inside its own limits;
// failing the broadcast would leave the members that got it directly with a message whose result
// says it was not sent, and the others with a hole in the sender's stream. Instead the leg waits
// and goes again (its result comes later: the sender waits, it does not flood), and the legs
// sent after it wait behind it, so the server path stays in the sender's order. One timer per
// room, with backoff while the server keeps refusing.
import type { MessageFrame } from '../../shared/frame.js';
import { unref } from './frames.js';
import type { PendingEntry, TrackedMessage } from './outbox.js';

export interface RoomLeg {
  msg: TrackedMessage;
  frame: MessageFrame;
  /** The members this leg is for (each still owes its hand-off). */
  relayed: PendingEntry[];
  /** Members the server must leave out (linked, or waiting in their window). */
  skip: string[];
  /** Refusals so far. */
  attempt: number;
}

export class RoomLegs {
  private readonly held = new Map<string, { legs: RoomLeg[]; timer: ReturnType<typeof setTimeout> | null }>();

  /** `send` puts a leg on the wire (again). */
  constructor(private readonly send: (roomId: string, leg: RoomLeg) => void) {}

  isHolding(roomId: string): boolean {
    return this.held.has(roomId);
  }

  /** A new leg: goes now, unless legs of the room wait (then behind them). */
  submit(roomId: string, leg: RoomLeg): void {
    const h = this.held.get(roomId);
    if (h) h.legs.push(leg);
    else this.send(roomId, leg);
  }

  /** The server refused `leg` for the room's budget: it waits, in seq order with the others. */
  refused(roomId: string, leg: RoomLeg): void {
    let h = this.held.get(roomId);
    if (!h) this.held.set(roomId, (h = { legs: [], timer: null }));
    const s = leg.frame.s ?? 0;
    const at = h.legs.findIndex((l) => (l.frame.s ?? 0) > s);
    h.legs.splice(at < 0 ? h.legs.length : at, 0, { ...leg, attempt: leg.attempt + 1 });
    if (h.timer) return;
    const delay = Math.min(1000, 100 * 2 ** leg.attempt) * (0.75 + Math.random() / 2);
    h.timer = setTimeout(() => this.release(roomId), delay);
    unref(h.timer);
  }

  /** Everything held for `roomId` goes again, in order (a refusal holds it anew). */
  private release(roomId: string): void {
    const h = this.held.get(roomId);
    this.held.delete(roomId);
    for (const leg of h?.legs ?? []) if (!leg.msg.done) this.send(roomId, leg);
  }

  clear(): void {
    for (const h of this.held.values()) if (h.timer) clearTimeout(h.timer);
    this.held.clear();
  }
}
