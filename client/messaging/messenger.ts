// The messaging layer's facade: what the engine and rooms call to send, and what they hear about
// received messages and peer links. It ties together the outbox (sender state), the inbox
// (receiver state), ack batching and the path router, and moves unacknowledged frames from one
// path to the other when a link comes up or goes down, so a stream stays complete and in order
// across the switch (the receiver drops the duplicates this creates).
import { MessageConfig, UserMessageSendResult } from '../../shared/codes.js';
import {
  FrameType, broadcastStream, parseStream, userStream, type AckFrame, type Frame, type MessageFrame,
} from '../../shared/frame.js';
import { payloadBytes } from '../../shared/limits.js';
import type { ChannelKind, LinkManager } from '../transport/types.js';
import { TypedEmitter } from '../typed-emitter.js';
import { AckScheduler } from './ack-scheduler.js';
import { Inbox } from './inbox.js';
import type { MessengerEvents, MessengerOptions, MessengerStats } from './messenger-types.js';
import { makeFrame, normalizePayload, unref, withFirst, type Payload } from './frames.js';
import { Outbox, type Lane, type PendingEntry, type TrackedMessage } from './outbox.js';
import { PathRouter, type LinkState } from './path-router.js';

export type { Payload } from './frames.js';
export { normalizePayload } from './frames.js';
export type { MessengerEvents, MessengerOptions, MessengerStats } from './messenger-types.js';

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

export class Messenger extends TypedEmitter<MessengerEvents> {
  private readonly outbox: Outbox;
  private readonly inbox: Inbox;
  private readonly acks: AckScheduler;
  private readonly router: PathRouter;
  private readonly rooms = new Map<string, Set<string>>();
  private readonly now: () => number;
  private sweepTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly counters = { sentMessages: 0, receivedMessages: 0, bytesSent: 0, bytesReceived: 0 };
  private destroyed = false;

  constructor(private readonly opts: MessengerOptions) {
    super((event, error) => opts.logger.error(`messenger listener for ${event} threw`, error));
    this.now = opts.now ?? Date.now;
    this.outbox = new Outbox(this.now);
    this.acks = new AckScheduler({
      delayMs: opts.ackDelayMs,
      send: (uid, acks: AckFrame[]) => this.router.sendAny(uid, acks),
    });
    this.inbox = new Inbox({
      logger: opts.logger,
      deliver: (from, frame) => this.deliver(from, frame),
      ack: (from, st, s) => this.acks.schedule(from, st, s),
    });
    this.router = new PathRouter({
      relay: opts.relay,
      logger: opts.logger,
      onFrames: (uid, frames) => this.handleFrames(uid, frames),
      onLinkState: (uid, state) => this.onLinkState(uid, state),
      onSignal: (uid, signal) => opts.sendSignal(uid, signal),
      onPeerState: (uid, state) => this.emit('peerState', uid, state),
    });
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
      const lane = this.outbox.userLane(uid, st);
      const seq = lane.next++;
      const frame = makeFrame(st, seq, data);
      const msg = this.outbox.track(msgId, 'user', st, [uid], onResult);
      this.transmit(lane, this.outbox.addPending(lane, seq, frame, msg, 'relay'), false, 'any');
      this.armSweep();
    }
    // Lazily, after the first frame went out: the relay flushes in a microtask queued before
    // this one, and the server only forwards WebRTC signals between users who already
    // exchanged a message (or share a room).
    if (roomId === '') {
      queueMicrotask(() => {
        if (!this.destroyed) this.router.want(uid, 'p2p');
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
    const st = broadcastStream(roomId);
    const seq = this.outbox.nextRoomSeq(roomId);
    const frame = makeFrame(st, seq, data);
    const msg = this.outbox.track(msgId, 'room', st, members, onResult);
    const linked: string[] = [];
    let viaRelay = 0;
    for (const uid of members) {
      const lane = this.outbox.memberLane(roomId, st, uid);
      const entry = this.outbox.addPending(lane, seq, frame, msg, 'relay');
      const wire = lane.needsFirst ? withFirst(frame, lane.firstOwedNow(seq), false) : frame;
      if (this.router.sendLink(uid, [wire])) {
        entry.via = 'link';
        linked.push(uid);
        this.acks.flushTo(uid);
      } else {
        viaRelay++;
      }
    }
    if (viaRelay > 0) {
      this.router.sendRelayRoom(roomId, linked, [frame]).then(
        (code) => this.onRoomRelayReply(msg, code),
        (e: unknown) => this.opts.logger.warn('relay:room failed', e),
      );
    }
    this.armSweep();
  }

  // ---- rooms and peers ----------------------------------------------------------------------

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
      this.resendTo(uid);
      return;
    }
    members.add(uid);
    // The lane starts owing from here: what we broadcast before they joined is not theirs.
    this.outbox.memberLane(roomId, broadcastStream(roomId), uid);
    this.router.want(uid, `room:${roomId}`);
  }

  memberLeft(roomId: string, uid: string): void {
    const members = this.rooms.get(roomId);
    if (!members?.delete(uid)) return;
    const st = broadcastStream(roomId);
    const lane = this.outbox.lane(uid, st);
    if (lane) this.outbox.dropLane(lane, UserMessageSendResult.NoReceiver, true);
    this.inbox.reset(uid, st);
    this.router.unwant(uid, `room:${roomId}`);
  }

  /** We left (or were removed from) `roomId`: its pending broadcasts end with `code`. */
  roomLeft(roomId: string, code: number): void {
    const members = this.rooms.get(roomId);
    if (!members) return;
    this.rooms.delete(roomId);
    const st = broadcastStream(roomId);
    this.outbox.dropRoom(roomId, st, code);
    this.inbox.resetStream(st);
    for (const uid of members) this.router.unwant(uid, `room:${roomId}`);
  }

  members(roomId: string): string[] {
    return [...(this.rooms.get(roomId) ?? [])];
  }

  /** The relay is back (re-login after a reconnect): what it may have lost goes again. */
  relayReconnected(): void {
    for (const lane of this.outbox.allLanes()) {
      for (const entry of [...lane.pending.values()]) if (entry.via === 'relay') this.transmit(lane, entry, true, 'any');
    }
  }

  /** Sends every frame `uid` still owes an ack for again, on the current path. */
  private resendTo(uid: string): void {
    for (const lane of this.outbox.lanesOf(uid)) {
      for (const entry of [...lane.pending.values()]) this.transmit(lane, entry, true, 'any');
    }
  }

  setLinkManager(links: LinkManager | null): void {
    const old = this.router.linkManager;
    if (old === links) return;
    this.router.setLinkManager(links);
    // Frames that went over the old links may be lost with them.
    for (const lane of this.outbox.allLanes()) {
      for (const entry of [...lane.pending.values()]) if (entry.via === 'link') this.transmit(lane, entry, true, 'any');
    }
  }

  get linkManager(): LinkManager | null {
    return this.router.linkManager;
  }

  handleSignal(from: string, signal: Record<string, unknown>): void {
    this.router.handleSignal(from, signal);
  }

  stats(): MessengerStats {
    return {
      ...this.counters,
      ...this.router.counters,
      peers: this.router.wantedPeers,
      p2pLinks: this.router.openLinks(),
      pendingReliable: this.outbox.pendingMessages,
    };
  }

  /** Logout: every pending message ends with `code`, all stream state is forgotten. */
  reset(code: number): void {
    this.disarmSweep();
    for (const roomId of [...this.rooms.keys()]) this.roomLeft(roomId, code);
    this.outbox.reset(code);
    this.inbox.resetAll();
    this.acks.destroy();
    this.router.unwantAll();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.disarmSweep();
    this.acks.destroy();
    this.router.destroy();
    this.removeAllListeners();
  }

  // ---- receiving ----------------------------------------------------------------------------

  private handleFrames(from: string, frames: Frame[]): void {
    if (this.destroyed) return;
    for (const frame of frames) {
      if (frame.t === FrameType.Ack) {
        this.onAck(from, frame);
        continue;
      }
      const stream = parseStream(frame.st);
      if (!stream) {
        this.opts.logger.debug?.(`dropping frame on unknown stream ${frame.st} from ${from}`);
        continue;
      }
      if (stream.roomId !== '' && !this.opts.acceptsRoom(stream.roomId)) {
        // Not acknowledged: if we join soon the sender's resend gets through.
        this.opts.logger.debug?.(`dropping frame for room ${stream.roomId} we are not in, from ${from}`);
        continue;
      }
      if (stream.roomId !== '' && this.rooms.get(stream.roomId)?.has(from) === false) {
        // The relay only carries a member's frames; a peer link must not let anyone else in.
        // Not acknowledged either: a member we have not heard of yet (its join raced its first
        // frame) gets through with the sender's resend.
        this.opts.logger.debug?.(`dropping frame for room ${stream.roomId} from ${from}, not a member`);
        continue;
      }
      this.inbox.receive(from, frame);
    }
  }

  private onAck(from: string, ack: AckFrame): void {
    const outcome = this.outbox.ack(from, ack.st, ack.s);
    const lane = this.outbox.lane(from, ack.st);
    if (!lane) return;
    if (outcome === 'forged') {
      this.opts.logger.warn(`${from} acked ${ack.st} seq ${ack.s}, far beyond anything we sent: ignored`);
      return;
    }
    if (outcome === 'stale') {
      this.opts.logger.info?.(`${from} acked ${ack.st} seq ${ack.s} we never sent: renumbering`);
      for (const entry of this.outbox.resync(lane, ack.s)) this.transmit(lane, entry, true, 'any');
      return;
    }
    if (ack.s >= lane.mustPass) return;
    // The receiver waits for a frame we gave up on (or restarted its stream): tell it where to
    // start now instead of waiting for the resend sweep.
    const first = lane.pending.values().next().value;
    if (first && this.now() - first.sentAt >= NUDGE_AFTER_MS) this.transmit(lane, first, true, 'any');
  }

  private deliver(from: string, frame: MessageFrame): void {
    const stream = parseStream(frame.st);
    if (!stream) return;
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

  private transmit(lane: Lane, entry: PendingEntry, resend: boolean, mode: Mode): void {
    const wire = resend || lane.needsFirst ? withFirst(entry.frame, lane.firstOwedNow(entry.seq), resend) : entry.frame;
    if (mode !== 'relay' && this.router.sendLink(lane.uid, [wire])) {
      entry.via = 'link';
      entry.sentAt = this.now();
      this.acks.flushTo(lane.uid);
      return;
    }
    if (mode === 'link') return;
    entry.via = 'relay';
    entry.sentAt = this.now();
    this.router.sendRelay(lane.uid, [wire]).then(
      (code) => this.onRelayReply(lane, entry, code, resend),
      (e: unknown) => this.opts.logger.warn('relay:frame failed', e),
    );
    this.acks.flushTo(lane.uid);
  }

  private onRelayReply(lane: Lane, entry: PendingEntry, code: number, resend: boolean): void {
    if (code === 0 || lane.pending.get(entry.seq) !== entry) return;
    // Not lost for good: the reconnect or the resend sweep sends it again.
    if (code === UserMessageSendResult.Timeout || code === UserMessageSendResult.NetworkDisconnected) return;
    // A resend was accepted once already; a refusal now is most likely passing (the receiver or
    // the server reconnecting). The timeout — and for rooms the membership events — settle it.
    if (resend && RESEND_TRANSIENT.has(code)) return;
    // Room frames go one by one only when resent; their members are settled as said above.
    if (entry.msg.kind === 'user') this.outbox.fail(entry.msg, code);
  }

  private onRoomRelayReply(msg: TrackedMessage, code: number): void {
    if (code === 0 || msg.done) return;
    if (code === UserMessageSendResult.Timeout || code === UserMessageSendResult.NetworkDisconnected) return;
    this.outbox.fail(msg, code);
  }

  private onLinkState(uid: string, state: LinkState): void {
    if (state === 'connecting') return;
    const from: 'link' | 'relay' = state === 'open' ? 'relay' : 'link';
    const mode: Mode = state === 'open' ? 'link' : 'relay';
    for (const lane of this.outbox.lanesOf(uid)) {
      for (const entry of [...lane.pending.values()]) if (entry.via === from) this.transmit(lane, entry, true, mode);
    }
  }

  private relayError(e: unknown, onResult: (code: number) => void): void {
    this.opts.logger.warn('relay send failed', e);
    onResult(UserMessageSendResult.Unknown);
  }

  private countSent(data: Payload): void {
    this.counters.sentMessages++;
    this.counters.bytesSent += payloadBytes(data);
  }

  // ---- timeouts and the resend sweep --------------------------------------------------------

  private armSweep(): void {
    if (this.sweepTimer || this.destroyed) return;
    const period = Math.max(10, Math.min(1000, this.opts.resendAfterMs() / 4, this.opts.messageTimeoutMs() / 4));
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = null;
      this.sweep();
      if (this.outbox.pendingMessages > 0) this.armSweep();
    }, period);
    unref(this.sweepTimer);
  }

  private disarmSweep(): void {
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = null;
  }

  private sweep(): void {
    this.outbox.expire(this.opts.messageTimeoutMs(), UserMessageSendResult.Timeout);
    const cutoff = this.now() - this.opts.resendAfterMs();
    const relayUp = this.opts.relay.isUp();
    for (const lane of this.outbox.allLanes()) {
      if (!relayUp && !this.router.linkOpen(lane.uid)) continue;
      for (const entry of [...lane.pending.values()]) if (entry.sentAt <= cutoff) this.transmit(lane, entry, true, 'any');
    }
  }
}
