// The leg of room broadcasts through the server: sent once per broadcast as relay:room to the
// members without a direct link, confirmed by the server's hand-off, and waiting for the room's
// budget when the server refuses it for that.
//
// The server refuses a relay:room over the room's rate (SPEC §5: 100 messages/s per room) with
// ExceedQPS. Bursts from many senders hit that even when each sender stays inside its own limits;
// failing the broadcast would leave the members that got it directly with a message whose result
// says it was not sent, and the others with a hole in the sender's stream. Instead the leg waits
// and goes again (its result comes later: the sender waits, it does not flood), and the legs
// sent after it wait behind it, so the server path stays in the sender's order. One timer per
// room, with backoff while the server keeps refusing.
import { RoomMessageSendResult, UserMessageSendResult } from '../../shared/codes.js';
import type { MessageFrame } from '../../shared/frame.js';
import type { Logger } from '../base-types.js';
import { asResend, unref } from './frames.js';
import type { Outbox, PendingEntry, TrackedMessage } from './outbox.js';
import type { PathRouter } from './path-router.js';

export interface RoomLeg {
  msg: TrackedMessage;
  frame: MessageFrame;
  /** The members this leg is for (each still owes its hand-off). */
  relayed: PendingEntry[];
  /** Members the server must leave out (linked, or waiting in their window). */
  skip: string[];
  /** Refusals so far. */
  attempt: number;
  /** A resend (x:1): a refusal other than the budget's only leaves it to the resend timer. */
  resend?: boolean;
}

export class RoomLegs {
  private readonly held = new Map<string, { legs: RoomLeg[]; timer: ReturnType<typeof setTimeout> | null }>();

  /** `send` puts a leg on the wire (again). */
  constructor(private readonly send: (roomId: string, leg: RoomLeg) => void) {}

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

export interface RoomRelayOptions {
  outbox: Outbox;
  router: PathRouter;
  logger: Logger;
  /** After hand-offs: what waited for room in its window may go. */
  released(): void;
  /** A frame of `stream` sent again (counted per room). */
  resent(stream: string): void;
  destroyed(): boolean;
}

export class RoomRelay {
  private readonly legs = new RoomLegs((roomId, leg) => this.send(roomId, leg));

  constructor(private readonly opts: RoomRelayOptions) {}

  /** The broadcast `msg` (`frame`) through the server to `relayed`, leaving out `skip`. */
  broadcast(roomId: string, msg: TrackedMessage, frame: MessageFrame, relayed: PendingEntry[], skip: string[]): void {
    // Waiting for its reply (or behind legs waiting for the room's budget): no resend meanwhile.
    for (const entry of relayed) this.opts.outbox.sent(entry, 'relay', false, true);
    this.legs.submit(roomId, { msg, frame, relayed, skip, attempt: 0 });
  }

  /**
   * A broadcast that several members of `members` still owe goes again once, as relay:room to
   * them — not one relay:frame per member, which at a hundred members would turn a reconnect into
   * a flood of the server. Like a first send it waits for the room's budget when the server
   * refuses it for that, in seq order behind the legs already waiting (a resend refused and
   * resent on the timer would spend the budget new broadcasts need).
   */
  resend(roomId: string, members: Iterable<string>, group: PendingEntry[]): void {
    const { outbox } = this.opts;
    const msg = group[0].msg;
    const targets = new Set(group.map((entry) => entry.uid));
    for (const entry of group) {
      this.opts.resent(msg.stream);
      outbox.sent(entry, 'relay', true, true);
    }
    // No `f`: the frame also reaches members we have not heard of yet, and `f` could make a
    // newcomer wait for frames that were never its own. Resends go in seq order, so an owing
    // member that never heard of this stream starts no later than its first owed frame.
    const frame = asResend(outbox.frameOf(group[0]));
    const skip = [...members].filter((uid) => !targets.has(uid));
    this.legs.submit(roomId, { msg, frame, relayed: group, skip, attempt: 0, resend: true });
  }

  clear(): void {
    this.legs.clear();
  }

  private send(roomId: string, leg: RoomLeg): void {
    const { outbox } = this.opts;
    const waiting = leg.relayed.filter((entry) => outbox.isPending(entry));
    if (waiting.length === 0) return;
    const gone = leg.relayed.filter((entry) => !outbox.isPending(entry)).map((entry) => entry.uid);
    const now = { ...leg, relayed: waiting, skip: gone.length > 0 ? [...leg.skip, ...gone] : leg.skip };
    this.opts.router.sendRelayRoom(roomId, now.skip, [leg.frame]).then(
      (code) => this.replied(roomId, now, code),
      (e: unknown) => this.opts.logger.warn('relay:room failed', e),
    );
  }

  private replied(roomId: string, leg: RoomLeg, code: number): void {
    const { msg } = leg;
    if (code === RoomMessageSendResult.ExceedQPS && !msg.done && !this.opts.destroyed()) {
      this.legs.refused(roomId, leg);
      return;
    }
    this.settle(leg.relayed, code);
    if (code === 0 || msg.done || leg.resend) return;
    if (code === UserMessageSendResult.Timeout || code === UserMessageSendResult.NetworkDisconnected) return;
    this.opts.outbox.fail(msg, code);
  }

  /** 0: handed to every member's connection (delivered as the result goes); else the timer resends. */
  private settle(entries: PendingEntry[], code: number): void {
    for (const entry of entries) {
      if (!this.opts.outbox.isPending(entry)) continue;
      if (code === 0) this.opts.outbox.handedOff(entry);
      else this.opts.outbox.replied(entry);
    }
    this.opts.released();
  }
}
