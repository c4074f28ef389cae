// The messaging layer's facade: what the engine and rooms call to send, and what they hear about
// received messages. It ties together the outbox (sender state), the inbox (receiver state), ack
// batching, the path router and the reliable sender (which path a frame takes and when it goes
// again: reliable-sender.ts), keeps the room membership both sides check, and says which peers it
// wants links to and why (rooms eagerly, P2P lazily).
import { MessageConfig, UserMessageSendResult } from '../../shared/codes.js';
import {
  FrameType, broadcastStream, userStream, type AckFrame, type Frame, type MessageFrame,
} from '../../shared/frame.js';
import { payloadBytes } from '../../shared/limits.js';
import type { ChannelKind, LinkPathEvents } from '../transport/types.js';
import { TypedEmitter } from '../typed-emitter.js';
import { AckScheduler } from './ack-scheduler.js';
import { Inbox, type Stream } from './inbox.js';
import type { MessengerEvents, MessengerOptions, MessengerStats } from './messenger-types.js';
import { makeFrame, normalizePayload, type Payload } from './frames.js';
import { Outbox, type Via } from './outbox.js';
import { PathRouter } from './path-router.js';
import { ReliableSender } from './reliable-sender.js';

export type { Payload } from './frames.js';
export { copyPayload, normalizePayload } from './frames.js';
export type { MessengerEvents, MessengerOptions, MessengerStats } from './messenger-types.js';

const UNRELIABLE_CHANNEL: Record<number, ChannelKind> = {
  [MessageConfig.UnreliableOrdered]: 'unreliable-ordered',
  [MessageConfig.UnreliableUnordered]: 'unreliable-unordered',
};

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
  private readonly sender: ReliableSender;
  private readonly rooms = new Map<string, Set<string>>();
  private readonly now: () => number;
  private readonly counters = { sentMessages: 0, receivedMessages: 0, bytesSent: 0, bytesReceived: 0 };
  private destroyed = false;
  /** Peers the link layer was asked for a 'p2p' link since the last reset (see sendUser). */
  private readonly p2pWanted = new Set<string>();
  private readonly onPath: LinkPathEvents['path'] = (uid, state) => this.sender.pathChanged(uid, state);
  /** Frames that went over the old links may be lost with them. */
  private readonly onReplaced: LinkPathEvents['replaced'] = () => this.sender.resend({ via: 'link' });

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
    this.sender = new ReliableSender({
      outbox: this.outbox,
      router: this.router,
      acks: this.acks,
      logger: opts.logger,
      resendAfterMs: () => opts.resendAfterMs(),
      messageTimeoutMs: () => opts.messageTimeoutMs(),
      members: (roomId) => this.rooms.get(roomId),
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
      this.sender.send(this.outbox.enqueueUser(uid, st, data, msgId, onResult));
    }
    // Lazily, after the first frame went out: the relay flushes in a microtask queued before
    // this one, and the server only forwards WebRTC signals between users who already
    // exchanged a message (or share a room). Asked once per peer (only reset() drops it): a
    // microtask per message was a tenth of the messaging layer's cost on a busy link.
    if (roomId === '' && !this.p2pWanted.has(uid)) {
      this.p2pWanted.add(uid);
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
    this.sender.broadcast(roomId, msg, frame, entries);
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
      this.sender.resend({ uid });
      this.sender.replay(uid, broadcastStream(roomId));
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
    this.sender.flushReady();
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
    this.sender.resend({ via: 'relay' });
  }

  stats(): MessengerStats {
    return { ...this.counters, resends: this.sender.resends, ...this.router.counters, pendingReliable: this.outbox.pendingMessages };
  }

  /** Frames of room `roomId` sent again (resend timer, path switch, replay) since login. */
  resendsIn(roomId: string): number {
    return this.sender.resendsIn(roomId);
  }

  /** Logout: every pending message ends with `code`, all stream state is forgotten. */
  reset(code: number): void {
    this.sender.disarmSweep();
    for (const roomId of [...this.rooms.keys()]) this.roomLeft(roomId, code);
    this.outbox.reset(code);
    this.inbox.resetAll();
    this.acks.reset();
    this.sender.reset();
    this.p2pWanted.clear();
    this.opts.links.unwantAll();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.sender.disarmSweep();
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
      if (frame.t === FrameType.Ack) this.sender.onAck(from, frame, via);
      else this.inbox.receive(from, frame, via === 'relay' && frame.x !== 1 && frame.st.startsWith('b/'));
    }
    this.sender.flushReady();
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

  private relayError(e: unknown, onResult: (code: number) => void): void {
    this.opts.logger.warn('relay send failed', e);
    onResult(UserMessageSendResult.Unknown);
  }

  private countSent(data: Payload): void {
    this.counters.sentMessages++;
    this.counters.bytesSent += payloadBytes(data);
  }
}
