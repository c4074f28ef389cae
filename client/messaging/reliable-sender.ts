// The outbound side of reliable delivery: which path each pending frame takes, when it goes
// again, and what an ack tells us to do. Split from messenger.ts so the facade keeps to the API,
// room membership and what comes in, while this file alone owns the resend policy.
//
// Unacknowledged frames move from one path to the other when a link comes up or goes down, so a
// stream stays complete and in order across the switch (the receiver drops the duplicates this
// creates).
//
// Delivery without congestion collapse (SPEC §10): a lane's frames are resent only when its
// adaptive timer expires with no ack progress (lane.ts); a relay request still waiting for its
// reply is never doubled; a link whose acks stop while it claims to be open is treated as
// unusable for that peer (its frames move to the server) until an ack comes over it again.
// Room broadcasts through the server count as delivered at the server's hand-off to each
// member's connection (no ack per member per broadcast through the server; see room-history.ts
// for members that drop meanwhile).
import { UserMessageSendResult } from '../../shared/codes.js';
import type { AckFrame, MessageFrame } from '../../shared/frame.js';
import type { PeerLinkState } from '../transport/types.js';
import type { AckScheduler } from './ack-scheduler.js';
import { unref } from './frames.js';
import type { MessengerOptions } from './messenger-types.js';
import type { Outbox, PendingEntry, PendingSelector, TrackedMessage, Via } from './outbox.js';
import type { PathRouter } from './path-router.js';
import { RoomRelay } from './room-legs.js';

/** Which paths a transmission may take: the link when open else the relay, or only one of them. */
export type Mode = 'any' | 'link' | 'relay';

export interface ReliableSenderOptions extends Pick<MessengerOptions, 'logger' | 'resendAfterMs' | 'messageTimeoutMs'> {
  outbox: Outbox;
  router: PathRouter;
  acks: AckScheduler;
  /** The other members of `roomId` as we know them (undefined: we are not in it). */
  members(roomId: string): ReadonlySet<string> | undefined;
  destroyed(): boolean;
}

const RESEND_TRANSIENT = new Set<number>([
  UserMessageSendResult.NoReceiver, UserMessageSendResult.NoRelayPath, UserMessageSendResult.ExceedQPS, UserMessageSendResult.NotJoin,
]);

/** A low ack this recent after the frame went out is probably just in flight, not a stuck receiver. */
const NUDGE_AFTER_MS = 20;

export class ReliableSender {
  /** Frames sent again (resend timer, path switch, replay) since this sender was made. */
  private resent = 0;
  /** Resent or replayed frames per room stream ('b/<roomId>' and 'u/<roomId>' alike, by roomId). */
  private readonly roomResends = new Map<string, number>();
  /** The server leg of room broadcasts (room-legs.ts). */
  private readonly roomRelay: RoomRelay;
  /** Peers whose link is open but whose acks stopped coming over it: their frames go by relay. */
  private readonly stalled = new Set<string>();
  private sweepTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly opts: ReliableSenderOptions) {
    this.roomRelay = new RoomRelay({
      outbox: opts.outbox,
      router: opts.router,
      logger: opts.logger,
      released: () => this.flushReady(),
      resent: (stream) => this.countResend(stream),
      destroyed: opts.destroyed,
    });
  }

  /** A new reliable user message's entry: goes now, and the sweep watches it. */
  send(entry: PendingEntry): void {
    this.transmit(entry, false, 'any');
    this.armSweep();
  }

  /**
   * A new broadcast's entries (one per member): over each open link, once through the server for
   * the rest. The server's leg is handed over first: it is the longer way round, and the links'
   * native send() calls would otherwise run before it leaves.
   */
  broadcast(roomId: string, msg: TrackedMessage, frame: MessageFrame, entries: PendingEntry[]): void {
    const { outbox, router } = this.opts;
    const skip: string[] = [];
    const relayed: PendingEntry[] = [];
    const direct: PendingEntry[] = [];
    for (const entry of entries) {
      // Waiting for room in its window, or going direct: not in the server's fan-out.
      if (!outbox.mayTransmit(entry)) skip.push(entry.uid);
      else if (!this.stalled.has(entry.uid) && router.linkOpen(entry.uid)) {
        skip.push(entry.uid);
        direct.push(entry);
      } else relayed.push(entry);
    }
    if (relayed.length > 0) this.roomRelay.broadcast(roomId, msg, frame, relayed, skip);
    // A link that refuses after all (closed in between) leaves its member to relay:frame.
    for (const entry of direct) if (this.transmit(entry, false, 'link') !== 'link') this.transmit(entry, false, 'relay');
    this.armSweep();
  }

  get resends(): number {
    return this.resent;
  }

  /** Frames of room `roomId` sent again (resend timer, path switch, replay) since login. */
  resendsIn(roomId: string): number {
    return this.roomResends.get(roomId) ?? 0;
  }

  /** Sends the pending frames `select` names again, on the path `mode` allows. */
  resend(select: PendingSelector, mode: Mode = 'any'): void {
    this.resendEntries(this.opts.outbox.pending(select), mode);
  }

  /** Sends what waited for room in its window. */
  flushReady(): void {
    for (const entry of this.opts.outbox.drainReady()) this.transmit(entry, false, 'any');
  }

  /** Sends `uid` the broadcasts of `stream` it may have missed (see Outbox.replayFor). */
  replay(uid: string, stream: string): void {
    const { router } = this.opts;
    const frames = this.opts.outbox.replayFor(uid, stream);
    if (frames.length === 0) return;
    for (const _ of frames) this.countResend(stream);
    if (this.stalled.has(uid) || !router.sendLink(uid, frames)) {
      router.sendRelay(uid, frames).catch((e: unknown) => this.opts.logger.warn('relay replay failed', e));
    }
  }

  onAck(from: string, ack: AckFrame, via: Via): void {
    const { outbox } = this.opts;
    // Acks over the link again: it carries our frames again.
    if (via === 'link') this.stalled.delete(from);
    const outcome = outbox.ack(from, ack.st, ack.s);
    if (outcome === 'forged') {
      this.opts.logger.warn(`${from} acked ${ack.st} seq ${ack.s}, far beyond anything we sent: ignored`);
    } else if (outcome === 'stale') {
      this.opts.logger.info?.(`${from} acked ${ack.st} seq ${ack.s} we never sent: renumbering`);
      for (const entry of outbox.resync(from, ack.st, ack.s)) this.transmit(entry, true, 'any');
    } else if (outcome === 'ok') {
      const stuck = outbox.stuckAt(from, ack.st, ack.s, NUDGE_AFTER_MS);
      if (stuck) this.transmit(stuck, true, 'any');
      // Stuck below broadcasts the server handed it (its connection dropped meanwhile, or one is
      // late)? Replayed from the history if that lasts (see the sweep).
      else if (ack.st.startsWith('b/')) {
        outbox.reportedGap(from, ack.st, ack.s);
        this.armSweep();
      }
    }
  }

  /** A link came up: what went by relay moves onto it. It went away: what went over it goes by relay. */
  pathChanged(uid: string, state: PeerLinkState): void {
    this.stalled.delete(uid);
    if (state === 'p2p') this.resend({ uid, via: 'relay' }, 'link');
    else if (state !== 'connecting') this.resend({ uid, via: 'link' }, 'relay');
  }

  /** Logout: the per-peer and per-room state goes (the total of resends stays). */
  reset(): void {
    this.stalled.clear();
    this.roomResends.clear();
    this.roomRelay.clear();
  }

  disarmSweep(): void {
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = null;
  }

  /** Sends `entry` on the path `mode` allows; returns the path taken (null: none, mode 'link' only). */
  private transmit(entry: PendingEntry, resend: boolean, mode: Mode): Via | null {
    const { outbox, router } = this.opts;
    const uid = entry.uid;
    const wire = outbox.wireFrame(entry, resend);
    let via: Via | null = null;
    if (mode !== 'relay' && !this.stalled.has(uid) && router.sendLink(uid, [wire])) {
      via = 'link';
    } else if (mode !== 'link') {
      via = 'relay';
      router.sendRelay(uid, [wire]).then(
        (code) => this.onRelayReply(entry, code, resend),
        (e: unknown) => this.opts.logger.warn('relay:frame failed', e),
      );
    }
    if (via) {
      if (resend) this.countResend(entry.msg.stream);
      outbox.sent(entry, via, resend, via === 'relay');
      // Queued in the same tick, waiting acks for `uid` ride along instead of costing their own message.
      this.opts.acks.flushTo(uid);
    }
    return via;
  }

  /**
   * Sends `entries` again. A broadcast that several members still owe and that goes through the
   * server goes once, as relay:room to those members — not one relay:frame per member, which at a
   * hundred members would turn a reconnect into a flood of the server.
   */
  private resendEntries(entries: PendingEntry[], mode: Mode): void {
    const grouped = new Map<TrackedMessage, PendingEntry[]>();
    for (const entry of entries) {
      const direct = mode !== 'relay' && !this.stalled.has(entry.uid) && this.opts.router.linkOpen(entry.uid);
      if (entry.msg.kind !== 'room' || direct || mode === 'link') {
        this.transmit(entry, true, mode);
        continue;
      }
      const group = grouped.get(entry.msg);
      if (group) group.push(entry);
      else grouped.set(entry.msg, [entry]);
    }
    for (const [msg, group] of grouped) {
      const roomId = msg.stream.slice(2);
      const members = this.opts.members(roomId);
      if (group.length > 1 && members) this.roomRelay.resend(roomId, members, group);
      else for (const entry of group) this.transmit(entry, true, 'relay');
    }
  }

  private onRelayReply(entry: PendingEntry, code: number, resend: boolean): void {
    const { outbox } = this.opts;
    if (!outbox.isPending(entry)) return;
    if (code === 0 && entry.msg.kind === 'room') {
      outbox.handedOff(entry);
      this.flushReady();
      return;
    }
    outbox.replied(entry);
    if (code === 0) return;
    // Not lost for good: the reconnect or the resend sweep sends it again.
    if (code === UserMessageSendResult.Timeout || code === UserMessageSendResult.NetworkDisconnected) return;
    // A resend was accepted once already; a refusal now is most likely passing (the receiver or
    // the server reconnecting). The timeout — and for rooms the membership events — settle it.
    if (resend && RESEND_TRANSIENT.has(code)) return;
    // Room frames go one by one only when resent; their members are settled as said above.
    if (entry.msg.kind === 'user') outbox.fail(entry.msg, code);
  }

  private countResend(stream: string): void {
    this.resent++;
    const roomId = stream.slice(2);
    if (roomId !== '') this.roomResends.set(roomId, (this.roomResends.get(roomId) ?? 0) + 1);
  }

  // ---- timeouts and the resend sweep --------------------------------------------------------

  private armSweep(): void {
    if (this.sweepTimer || this.opts.destroyed()) return;
    const period = Math.max(10, Math.min(100, this.opts.resendAfterMs() / 4, this.opts.messageTimeoutMs() / 4));
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = null;
      this.sweep();
      if (this.opts.outbox.pendingMessages > 0 || this.opts.outbox.anyStuck) this.armSweep();
    }, period);
    unref(this.sweepTimer);
  }

  private sweep(): void {
    const { outbox, router } = this.opts;
    outbox.expire(this.opts.messageTimeoutMs(), UserMessageSendResult.Timeout);
    const relayUp = router.relayUp();
    const due: PendingEntry[] = [];
    for (const entry of outbox.due()) {
      const { uid } = entry;
      // No ack within the timeout over a link that says it is open: the server carries this peer's
      // frames until acks come over the link again (a peer that stopped acking, a link gone silent).
      if (outbox.lastVia(entry) === 'link' && router.linkOpen(uid)) this.stalled.add(uid);
      if (relayUp || (router.linkOpen(uid) && !this.stalled.has(uid))) due.push(entry);
    }
    this.resendEntries(due, 'any');
    if (relayUp) for (const [uid, stream] of outbox.stuckReplays()) this.replay(uid, stream);
  }
}
