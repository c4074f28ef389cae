// The messaging layer's facade: what the engine and rooms call to send, and what they hear about
// received messages. It ties together the outbox (sender state), the inbox (receiver state), ack
// batching and the path router, says which peers it wants links to and why (rooms eagerly, P2P
// lazily), and moves unacknowledged frames from one path to the other when a link comes up or
// goes down, so a stream stays complete and in order across the switch (the receiver drops the
// duplicates this creates).
//
// Delivery without congestion collapse (SPEC §10): a lane's frames are resent only when its
// adaptive timer expires with no ack progress (lane.ts); a relay request still waiting for its
// reply is never doubled; a link whose acks stop while it claims to be open is treated as
// unusable for that peer (its frames move to the server) until an ack comes over it again.
// Room broadcasts through the server count as delivered at the server's hand-off to each
// member's connection (no ack per member per broadcast through the server; see room-history.ts
// for members that drop meanwhile).
import { MessageConfig, UserMessageSendResult } from '../../shared/codes.js';
import {
  FrameType, broadcastStream, userStream, type AckFrame, type Frame, type MessageFrame,
} from '../../shared/frame.js';
import { payloadBytes } from '../../shared/limits.js';
import type { ChannelKind, LinkPathEvents, PeerLinkState } from '../transport/types.js';
import { TypedEmitter } from '../typed-emitter.js';
import { AckScheduler } from './ack-scheduler.js';
import { Inbox, type Stream } from './inbox.js';
import type { MessengerEvents, MessengerOptions, MessengerStats } from './messenger-types.js';
import { makeFrame, normalizePayload, unref, type Payload } from './frames.js';
import { Outbox, type PendingEntry, type PendingSelector, type TrackedMessage, type Via } from './outbox.js';
import { PathRouter } from './path-router.js';
import { RoomRelay } from './room-legs.js';

export type { Payload } from './frames.js';
export { normalizePayload } from './frames.js';
export type { MessengerEvents, MessengerOptions, MessengerStats } from './messenger-types.js';

/** Which paths a transmission may take: the link when open else the relay, or only one of them. */
type Mode = 'any' | 'link' | 'relay';

const UNRELIABLE_CHANNEL: Record<number, ChannelKind> = {
  [MessageConfig.UnreliableOrdered]: 'unreliable-ordered',
  [MessageConfig.UnreliableUnordered]: 'unreliable-unordered',
};

const RESEND_TRANSIENT = new Set<number>([
  UserMessageSendResult.NoReceiver, UserMessageSendResult.NoRelayPath, UserMessageSendResult.ExceedQPS, UserMessageSendResult.NotJoin,
]);

/** A low ack this recent after the frame went out is probably just in flight, not a stuck receiver. */
const NUDGE_AFTER_MS = 20;
/**
 * Resend timer bounds. The floor is RFC 6298's 1 s: the timer is only the backstop (a link that
 * fails is reported by its heartbeat and its frames move at once), and a lower floor turns every
 * pause of a busy event loop into resends.
 */
const MIN_RTO_MS = 1000;
const MAX_RTO_MS = 10_000;

export class Messenger extends TypedEmitter<MessengerEvents> {
  private readonly outbox: Outbox;
  private readonly inbox: Inbox;
  private readonly acks: AckScheduler;
  private readonly router: PathRouter;
  private readonly rooms = new Map<string, Set<string>>();
  private readonly now: () => number;
  private sweepTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly counters = { sentMessages: 0, receivedMessages: 0, bytesSent: 0, bytesReceived: 0, resends: 0 };
  /** Resent or replayed frames per room stream ('b/<roomId>' and 'u/<roomId>' alike, by roomId). */
  private readonly roomResends = new Map<string, number>();
  /** The server leg of room broadcasts (room-legs.ts). */
  private readonly roomRelay: RoomRelay;
  /** Peers whose link is open but whose acks stopped coming over it: their frames go by relay. */
  private readonly stalled = new Set<string>();
  private destroyed = false;
  private readonly onPath: LinkPathEvents['path'] = (uid, state) => this.pathChanged(uid, state);
  /** Frames that went over the old links may be lost with them. */
  private readonly onReplaced: LinkPathEvents['replaced'] = () => this.resend({ via: 'link' });

  constructor(private readonly opts: MessengerOptions) {
    super((event, error) => opts.logger.error(`messenger listener for ${event} threw`, error));
    this.now = opts.now ?? Date.now;
    this.outbox = new Outbox({
      now: this.now,
      window: opts.maxUnacked,
      // resendAfterMs is the timeout before a round trip was measured, and the ceiling of the backoff.
      rto: () => {
        const initial = opts.resendAfterMs();
        return { initial, min: Math.min(MIN_RTO_MS, initial), max: Math.max(initial, MAX_RTO_MS) };
      },
      historyMs: () => opts.messageTimeoutMs(),
    });
    this.acks = new AckScheduler({ send: (uid, acks: AckFrame[]) => this.router.sendAny(uid, acks) });
    this.inbox = new Inbox({
      logger: opts.logger,
      admit: (from, stream, viaServer) => this.admits(from, stream, viaServer),
      deliver: (from, frame, stream) => this.deliver(from, frame, stream),
      ack: (from, st, s) => this.acks.schedule(from, st, s),
    });
    this.router = new PathRouter({
      relay: opts.relay,
      links: opts.links,
      logger: opts.logger,
      onFrames: (uid, frames, via) => this.handleFrames(uid, frames, via),
    });
    this.roomRelay = new RoomRelay({
      outbox: this.outbox,
      router: this.router,
      logger: opts.logger,
      released: () => this.flushReady(),
      resent: (stream) => this.countResend(stream),
      destroyed: () => this.destroyed,
    });
    opts.links.on('path', this.onPath);
    opts.links.on('replaced', this.onReplaced);
  }

  // ---- sending ------------------------------------------------------------------------------

  /** A user message to `uid` inside room `roomId` ('' = outside rooms). Result through onResult. */
  sendUser(uid: string, roomId: string, data: Payload, config: MessageConfig, msgId: number, onResult: (code: number) => void): void {
    const st = userStream(roomId);
    this.countSent(data);
    const channel = UNRELIABLE_CHANNEL[config];
    if (channel) {
      const frame = makeFrame(st, undefined, data);
      if (this.router.sendLink(uid, [frame], channel)) queueMicrotask(() => onResult(UserMessageSendResult.Success));
      else this.router.sendRelay(uid, [frame]).then(onResult, (e: unknown) => this.relayError(e, onResult));
    } else {
      this.transmit(this.outbox.enqueueUser(uid, st, data, msgId, onResult), false, 'any');
      this.armSweep();
    }
    // Lazily, after the first frame went out: the relay flushes in a microtask queued before
    // this one, and the server only forwards WebRTC signals between users who already
    // exchanged a message (or share a room).
    if (roomId === '') {
      queueMicrotask(() => {
        if (!this.destroyed) this.opts.links.want(uid, 'p2p');
      });
    }
  }

  /** A broadcast to every other member of `roomId` (one frame shared by all members). */
  sendRoom(roomId: string, data: Payload, msgId: number, onResult: (code: number) => void): void {
    this.countSent(data);
    const members = this.rooms.get(roomId);
    if (!members || members.size === 0) {
      queueMicrotask(() => onResult(200));
      return;
    }
    const { frame, msg, entries } = this.outbox.enqueueRoom(roomId, broadcastStream(roomId), members, data, msgId, onResult);
    const skip: string[] = [];
    const relayed: PendingEntry[] = [];
    for (const entry of entries) {
      // Waiting for room in its window, or gone direct: not in the server's fan-out.
      if (!this.outbox.mayTransmit(entry) || this.transmit(entry, false, 'link') === 'link') skip.push(entry.uid);
      else relayed.push(entry);
    }
    if (relayed.length > 0) this.roomRelay.broadcast(roomId, msg, frame, relayed, skip);
    this.armSweep();
  }

  // ---- rooms --------------------------------------------------------------------------------

  /** We are in `roomId` with these other members (first join or rejoin: known members keep their state). */
  roomJoined(roomId: string, members: Iterable<string>): void {
    if (!this.rooms.has(roomId)) this.rooms.set(roomId, new Set());
    for (const uid of members) this.memberJoined(roomId, uid);
  }

  memberJoined(roomId: string, uid: string): void {
    const members = this.rooms.get(roomId);
    if (!members) return;
    if (members.has(uid)) {
      // Joined again after a reconnect: what it may have missed meanwhile goes now, not at the next sweep.
      this.resend({ uid });
      this.replay(uid, broadcastStream(roomId));
      return;
    }
    members.add(uid);
    // The lane starts owing from here: what we broadcast before they joined is not theirs.
    this.outbox.addMember(roomId, broadcastStream(roomId), uid);
    this.opts.links.want(uid, `room:${roomId}`);
  }

  memberLeft(roomId: string, uid: string): void {
    const members = this.rooms.get(roomId);
    if (!members?.delete(uid)) return;
    const st = broadcastStream(roomId);
    this.outbox.dropReceiver(uid, st, UserMessageSendResult.NoReceiver);
    this.inbox.reset(uid, st);
    this.flushReady();
    this.opts.links.unwant(uid, `room:${roomId}`);
  }

  /** We left (or were removed from) `roomId`: its pending broadcasts end with `code`. */
  roomLeft(roomId: string, code: number): void {
    const members = this.rooms.get(roomId);
    if (!members) return;
    this.rooms.delete(roomId);
    const st = broadcastStream(roomId);
    this.outbox.dropRoom(roomId, st, code);
    this.inbox.resetStream(st);
    for (const uid of members) this.opts.links.unwant(uid, `room:${roomId}`);
  }

  /** The relay is back (re-login after a reconnect): what it may have lost goes again. */
  relayReconnected(): void {
    this.resend({ via: 'relay' });
  }

  stats(): MessengerStats {
    return { ...this.counters, ...this.router.counters, pendingReliable: this.outbox.pendingMessages };
  }

  /** Frames of room `roomId` sent again (resend timer, path switch, replay) since login. */
  resendsIn(roomId: string): number {
    return this.roomResends.get(roomId) ?? 0;
  }

  /** Logout: every pending message ends with `code`, all stream state is forgotten. */
  reset(code: number): void {
    this.disarmSweep();
    for (const roomId of [...this.rooms.keys()]) this.roomLeft(roomId, code);
    this.outbox.reset(code);
    this.inbox.resetAll();
    this.acks.reset();
    this.stalled.clear();
    this.roomResends.clear();
    this.roomRelay.clear();
    this.opts.links.unwantAll();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.disarmSweep();
    this.acks.destroy();
    this.router.destroy();
    this.opts.links.off('path', this.onPath);
    this.opts.links.off('replaced', this.onReplaced);
    this.removeAllListeners();
  }

  // ---- receiving ----------------------------------------------------------------------------

  private handleFrames(from: string, frames: Frame[], via: Via): void {
    if (this.destroyed) return;
    for (const frame of frames) {
      if (frame.t === FrameType.Ack) this.onAck(from, frame, via);
      else this.inbox.receive(from, frame, via === 'relay' && frame.x !== 1 && frame.st.startsWith('b/'));
    }
    this.flushReady();
  }

  /**
   * Room frames are taken only while we are in the room, and only from its members (`viaServer`:
   * a broadcast the server relayed, which checked that the sender is a member).
   */
  private admits(from: string, stream: Stream, viaServer: boolean): boolean {
    if (stream.roomId === '') return true;
    if (!this.opts.acceptsRoom(stream.roomId)) {
      // Not acknowledged: if we join soon the sender's resend gets through.
      this.opts.logger.debug?.(`dropping frame for room ${stream.roomId} we are not in, from ${from}`);
      return false;
    }
    // A broadcast through the server is confirmed by its hand-off, so it is never sent again: the
    // server's membership check stands (the sender's join may not have reached us yet).
    if (!viaServer && this.rooms.get(stream.roomId)?.has(from) === false) {
      // The relay only carries a member's frames; a peer link must not let anyone else in.
      // Not acknowledged either: a member we have not heard of yet (its join raced its first
      // frame) gets through with the sender's resend.
      this.opts.logger.debug?.(`dropping frame for room ${stream.roomId} from ${from}, not a member`);
      return false;
    }
    return true;
  }

  private onAck(from: string, ack: AckFrame, via: Via): void {
    // Acks over the link again: it carries our frames again.
    if (via === 'link') this.stalled.delete(from);
    const outcome = this.outbox.ack(from, ack.st, ack.s);
    if (outcome === 'forged') {
      this.opts.logger.warn(`${from} acked ${ack.st} seq ${ack.s}, far beyond anything we sent: ignored`);
    } else if (outcome === 'stale') {
      this.opts.logger.info?.(`${from} acked ${ack.st} seq ${ack.s} we never sent: renumbering`);
      for (const entry of this.outbox.resync(from, ack.st, ack.s)) this.transmit(entry, true, 'any');
    } else if (outcome === 'ok') {
      const stuck = this.outbox.stuckAt(from, ack.st, ack.s, NUDGE_AFTER_MS);
      if (stuck) this.transmit(stuck, true, 'any');
      // Stuck below broadcasts the server handed it (its connection dropped meanwhile, or one is
      // late)? Replayed from the history if that lasts (see the sweep).
      else if (ack.st.startsWith('b/')) {
        this.outbox.reportedGap(from, ack.st, ack.s);
        this.armSweep();
      }
    }
  }

  private deliver(from: string, frame: MessageFrame, stream: Stream): void {
    const max = this.opts.maxMessageBytes?.();
    if (max !== undefined && payloadBytes(frame.d) > max) {
      // Consumed (a reliable frame is acknowledged, so its stream moves on) but not delivered.
      this.opts.logger.warn(`dropping a ${payloadBytes(frame.d)}-byte message from ${from}: over the ${max}-byte limit`);
      return;
    }
    const data = normalizePayload(frame.d);
    this.counters.receivedMessages++;
    this.counters.bytesReceived += payloadBytes(data);
    this.emit('message', from, stream.kind, stream.roomId, data);
  }

  // ---- paths --------------------------------------------------------------------------------

  /** Sends `entry` on the path `mode` allows; returns the path taken (null: none, mode 'link' only). */
  private transmit(entry: PendingEntry, resend: boolean, mode: Mode): Via | null {
    const uid = entry.uid;
    const wire = this.outbox.wireFrame(entry, resend);
    let via: Via | null = null;
    if (mode !== 'relay' && !this.stalled.has(uid) && this.router.sendLink(uid, [wire])) {
      via = 'link';
    } else if (mode !== 'link') {
      via = 'relay';
      this.router.sendRelay(uid, [wire]).then(
        (code) => this.onRelayReply(entry, code, resend),
        (e: unknown) => this.opts.logger.warn('relay:frame failed', e),
      );
    }
    if (via) {
      if (resend) this.countResend(entry.msg.stream);
      this.outbox.sent(entry, via, resend, via === 'relay');
      // Queued in the same tick, waiting acks for `uid` ride along instead of costing their own message.
      this.acks.flushTo(uid);
    }
    return via;
  }

  /** Sends the pending frames `select` names again, on the path `mode` allows. */
  private resend(select: PendingSelector, mode: Mode = 'any'): void {
    this.resendEntries(this.outbox.pending(select), mode);
  }

  /**
   * Sends `entries` again. A broadcast that several members still owe and that goes through the
   * server goes once, as relay:room to those members — not one relay:frame per member, which at a
   * hundred members would turn a reconnect into a flood of the server.
   */
  private resendEntries(entries: PendingEntry[], mode: Mode): void {
    const grouped = new Map<TrackedMessage, PendingEntry[]>();
    for (const entry of entries) {
      const direct = mode !== 'relay' && !this.stalled.has(entry.uid) && this.router.linkOpen(entry.uid);
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
      const members = this.rooms.get(roomId);
      if (group.length > 1 && members) this.roomRelay.resend(roomId, members, group);
      else for (const entry of group) this.transmit(entry, true, 'relay');
    }
  }

  private onRelayReply(entry: PendingEntry, code: number, resend: boolean): void {
    if (!this.outbox.isPending(entry)) return;
    if (code === 0 && entry.msg.kind === 'room') {
      this.outbox.handedOff(entry);
      this.flushReady();
      return;
    }
    this.outbox.replied(entry);
    if (code === 0) return;
    // Not lost for good: the reconnect or the resend sweep sends it again.
    if (code === UserMessageSendResult.Timeout || code === UserMessageSendResult.NetworkDisconnected) return;
    // A resend was accepted once already; a refusal now is most likely passing (the receiver or
    // the server reconnecting). The timeout — and for rooms the membership events — settle it.
    if (resend && RESEND_TRANSIENT.has(code)) return;
    // Room frames go one by one only when resent; their members are settled as said above.
    if (entry.msg.kind === 'user') this.outbox.fail(entry.msg, code);
  }

  /** A link came up: what went by relay moves onto it. It went away: what went over it goes by relay. */
  private pathChanged(uid: string, state: PeerLinkState): void {
    this.stalled.delete(uid);
    if (state === 'p2p') this.resend({ uid, via: 'relay' }, 'link');
    else if (state !== 'connecting') this.resend({ uid, via: 'link' }, 'relay');
  }

  private relayError(e: unknown, onResult: (code: number) => void): void {
    this.opts.logger.warn('relay send failed', e);
    onResult(UserMessageSendResult.Unknown);
  }

  /** Sends what waited for room in its window. */
  private flushReady(): void {
    for (const entry of this.outbox.drainReady()) this.transmit(entry, false, 'any');
  }

  /** Sends `uid` the broadcasts of `stream` it may have missed (see Outbox.replayFor). */
  private replay(uid: string, stream: string): void {
    const frames = this.outbox.replayFor(uid, stream);
    if (frames.length === 0) return;
    for (const _ of frames) this.countResend(stream);
    if (this.stalled.has(uid) || !this.router.sendLink(uid, frames)) {
      this.router.sendRelay(uid, frames).catch((e: unknown) => this.opts.logger.warn('relay replay failed', e));
    }
  }

  private countResend(stream: string): void {
    this.counters.resends++;
    const roomId = stream.slice(2);
    if (roomId !== '') this.roomResends.set(roomId, (this.roomResends.get(roomId) ?? 0) + 1);
  }

  private countSent(data: Payload): void {
    this.counters.sentMessages++;
    this.counters.bytesSent += payloadBytes(data);
  }

  // ---- timeouts and the resend sweep --------------------------------------------------------

  private armSweep(): void {
    if (this.sweepTimer || this.destroyed) return;
    const period = Math.max(10, Math.min(100, this.opts.resendAfterMs() / 4, this.opts.messageTimeoutMs() / 4));
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = null;
      this.sweep();
      if (this.outbox.pendingMessages > 0 || this.outbox.anyStuck) this.armSweep();
    }, period);
    unref(this.sweepTimer);
  }

  private disarmSweep(): void {
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = null;
  }

  private sweep(): void {
    this.outbox.expire(this.opts.messageTimeoutMs(), UserMessageSendResult.Timeout);
    const relayUp = this.router.relayUp();
    const due: PendingEntry[] = [];
    for (const entry of this.outbox.due()) {
      const { uid } = entry;
      // No ack within the timeout over a link that says it is open: the server carries this peer's
      // frames until acks come over the link again (a peer that stopped acking, a link gone silent).
      if (this.outbox.lastVia(entry) === 'link' && this.router.linkOpen(uid)) this.stalled.add(uid);
      if (relayUp || (this.router.linkOpen(uid) && !this.stalled.has(uid))) due.push(entry);
    }
    this.resendEntries(due, 'any');
    if (relayUp) for (const [uid, stream] of this.outbox.stuckReplays()) this.replay(uid, stream);
  }
}
