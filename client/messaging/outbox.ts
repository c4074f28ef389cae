// The sender's half of reliable delivery: sequence numbers, the frames each receiver still owes
// us an acknowledgement for, and the end-to-end result of every message.
//
// A lane is one (receiver, stream) pair. User streams ('u/…') have their own counter per lane;
// a room-broadcast stream ('b/<roomId>') has ONE counter per room shared by every member's lane,
// so the same frame object can go to everyone (over each link, and once through relay:room).
//
// Counters start at the clock (in microseconds) instead of 1. A receiver keeps its expected
// sequence for a sender as long as its own login lasts; if the sender restarts (new engine, new
// login, room left and joined again) its new counter must not fall below what the receiver has
// already seen, or the receiver would drop the new messages as duplicates. Client-side rate
// limits keep every counter far slower than the clock, so a later start is always higher.
import type { MessageFrame } from '../../shared/frame.js';
import { makeFrame, withFirst, type Payload } from './frames.js';
import { Lane, type Entry, type PendingEntry, type RtoBounds } from './lane.js';
import type { MessageKind, OutboxOptions, PendingSelector, TrackedMessage, Via } from './outbox-types.js';
import { RoomHistory } from './room-history.js';

export type { PendingEntry, RtoBounds } from './lane.js';
export type { MessageKind, OutboxOptions, PendingSelector, TrackedMessage, Via } from './outbox-types.js';

/** Distance between two counters started in the same millisecond (more than a lane ever sends per ms). */
const SEQ_BASE_GAP = 1000;

/**
 * Highest seq a stale ack may move our counters to. Counters start near 1.7e15 (the clock in µs)
 * and an earlier incarnation on a device whose clock ran far ahead may be well beyond that, but
 * never this close to Number.MAX_SAFE_INTEGER: an ack up here is forged. Following it would push
 * our counters past the safe integers, where receivers refuse the frames (for a room counter:
 * broadcasts to every member would stop). 2^40 seqs of headroom remain.
 */
const MAX_RESYNC_SEQ = Number.MAX_SAFE_INTEGER - 2 ** 40;

export const SUCCESS_CODE: Record<MessageKind, number> = { user: 0, room: 200 };

export class Outbox {
  /** uid → stream → lane */
  private readonly lanes = new Map<string, Map<string, Lane>>();
  private readonly roomCounters = new Map<string, { next: number }>();
  /** msgId → message, in creation order (msgIds increase), for the timeout sweep. */
  private readonly messages = new Map<number, TrackedMessage>();
  /** Lanes with queued entries that got room in their window since the last drainReady. */
  private readonly drainable = new Set<Lane>();
  private readonly history: RoomHistory;
  private readonly now: () => number;
  private readonly window: number;
  readonly rtoBounds: () => RtoBounds;

  constructor(opts: OutboxOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.window = opts.window ?? 128;
    this.rtoBounds = opts.rto ?? (() => ({ initial: 1000, min: 200, max: 10_000 }));
    const historyMs = opts.historyMs ?? (() => 30_000);
    this.history = new RoomHistory({ maxFrames: opts.historyFrames ?? 4096, maxAgeMs: historyMs, now: this.now });
  }

  get pendingMessages(): number {
    return this.messages.size;
  }

  /**
   * Queues a reliable user message to `uid` on `stream`: numbered on the lane's own counter,
   * tracked under `msgId`. Returns its pending entry (marked as relayed until sent otherwise).
   */
  enqueueUser(uid: string, stream: string, data: Payload, msgId: number, onResult: (code: number) => void): PendingEntry {
    const lane = this.lane(uid, stream) ?? this.addLane(new Lane(uid, stream, this.seqBase(), null));
    const seq = lane.next++;
    const msg = this.track(msgId, 'user', stream, [uid], onResult);
    return this.addPending(lane, seq, makeFrame(stream, seq, data), msg);
  }

  /** Queues a broadcast to `members` of `roomId`: one frame, one room seq, an entry per member. */
  enqueueRoom(
    roomId: string, stream: string, members: Iterable<string>, data: Payload, msgId: number, onResult: (code: number) => void,
  ): { frame: MessageFrame; msg: TrackedMessage; entries: PendingEntry[] } {
    const seq = this.roomCounter(roomId).next++;
    const frame = makeFrame(stream, seq, data);
    this.history.add(stream, seq, frame);
    const msg = this.track(msgId, 'room', stream, members, onResult);
    const entries = [...msg.owers].map((uid) => this.addPending(this.memberLane(roomId, stream, uid), seq, frame, msg));
    return { frame, msg, entries };
  }

  /** Starts owing `uid` the broadcasts of `roomId` from now on (nothing sent before it joined). */
  addMember(roomId: string, stream: string, uid: string): void {
    this.memberLane(roomId, stream, uid);
  }

  /** The pending entries `select` names, in lane and seq order. */
  pending(select: PendingSelector = {}): PendingEntry[] {
    const { uid, via, sentBefore } = select;
    const lanes = typeof uid === 'string' ? [...(this.lanes.get(uid)?.values() ?? [])] : this.allLanes();
    const out: Entry[] = [];
    for (const lane of lanes) {
      if (typeof uid === 'function' && !uid(lane.uid)) continue;
      for (const entry of lane.pending.values()) {
        if (entry.via === null) continue; // not sent yet: goes when the window has room
        if ((via === undefined || entry.via === via) && (sentBefore === undefined || entry.sentAt <= sentBefore)) out.push(entry);
      }
    }
    return out;
  }

  /** Whether `entry` may go out now; if not it waits for room in its lane's window (drainReady). */
  mayTransmit(entry: PendingEntry): boolean {
    return (entry as Entry).via !== null;
  }

  /** Entries that were waiting for room in their lane's window and have it now, in seq order. */
  drainReady(): PendingEntry[] {
    const out: Entry[] = [];
    for (const lane of this.drainable) out.push(...lane.takeQueued(this.window));
    this.drainable.clear();
    return out;
  }

  /**
   * Lanes whose resend timer expired (no progress for their RTO since the oldest frame went):
   * their sent frames, to send again. The lane's timeout doubles. Frames whose relay request is
   * still outstanding are left alone: the server path is reliable while the request lives.
   */
  due(): PendingEntry[] {
    const now = this.now();
    const bounds = this.rtoBounds();
    return this.allLanes().flatMap((lane) => lane.due(now, bounds));
  }

  /** The path `entry` went on last (null: not sent yet). */
  lastVia(entry: PendingEntry): Via | null {
    return (entry as Entry).via;
  }

  /** The relay request for `entry` ended without a hand-off: the resend timer covers it again. */
  replied(entry: PendingEntry): void {
    (entry as Entry).awaitingReply = false;
  }

  /**
   * The server handed a room broadcast to the receiver's connection: delivered to it as far as
   * the result goes (see room-history.ts for a connection that drops meanwhile).
   */
  handedOff(entry: PendingEntry): void {
    const e = entry as Entry;
    const { lane, seq } = e;
    if (lane.pending.get(seq) !== e) return;
    if (!e.resent) lane.sample(this.now() - e.sentAt);
    lane.progressed(this.now());
    if (seq > lane.lastHanded) lane.lastHanded = seq;
    this.remove(lane, seq);
    this.release(e.msg, lane.uid);
  }

  /**
   * `uid` reported a gap on `stream` below broadcasts the server handed it: if no ack moves the
   * lane within its timeout (the missing broadcast is usually just late: waiting for the room's
   * budget), stuckReplays names it.
   */
  reportedGap(uid: string, stream: string, s: number): void {
    const lane = this.lane(uid, stream);
    if (lane && lane.roomId !== null && lane.lastHanded > s && lane.stuckSince === 0) lane.stuckSince = this.now();
  }

  /** Receivers still stuck a timeout after reporting a gap: [uid, stream] to replay to. */
  stuckReplays(): Array<[string, string]> {
    const now = this.now();
    const bounds = this.rtoBounds();
    const out: Array<[string, string]> = [];
    for (const lane of this.allLanes()) {
      if (lane.stuckSince === 0 || now - lane.stuckSince < lane.rto(bounds)) continue;
      lane.stuckSince = now; // again after another timeout if the replay does not help
      lane.expired();
      out.push([lane.uid, lane.stream]);
    }
    return out;
  }

  /**
   * Room broadcasts `uid` may have missed: from the first one it has not acknowledged to the last
   * one handed to its connection (not past one still on its way). The first carries `f`, all `x`.
   */
  replayFor(uid: string, stream: string): MessageFrame[] {
    const lane = this.lane(uid, stream);
    if (!lane || lane.roomId === null || lane.lastHanded <= lane.highestAck) return [];
    // Up to the first frame still on its way (e.g. waiting for the room's budget): it comes anyway.
    let to = lane.lastHanded;
    for (const seq of lane.pending.keys()) {
      to = Math.min(to, seq - 1);
      break;
    }
    const frames = this.history.range(stream, Math.max(lane.highestAck + 1, lane.firstOwed), to, this.now());
    return frames.map((frame, i) => (i === 0 ? withFirst(frame, frame.s ?? 1, true) : { ...frame, x: 1 as const }));
  }

  /** Some receiver reports a gap we may have to fill (the sweep must keep running). */
  get anyStuck(): boolean {
    return this.allLanes().some((lane) => lane.stuckSince !== 0);
  }

  /** Whether `entry` still waits for its ack. */
  isPending(entry: PendingEntry): boolean {
    const { lane, seq } = entry as Entry;
    return lane.pending.get(seq) === entry;
  }

  /** The frame to put on the wire for `entry`: with `f` while the receiver must learn where to start. */
  /** The frame of `entry` as first numbered (without `f` or `x`). */
  frameOf(entry: PendingEntry): MessageFrame {
    return (entry as Entry).frame;
  }

  wireFrame(entry: PendingEntry, resend: boolean): MessageFrame {
    const { lane, frame, seq } = entry as Entry;
    return resend || lane.needsFirst ? withFirst(frame, lane.firstOwedNow(seq), resend) : frame;
  }

  /** `entry` just went out on `via` (`awaitingReply`: as a relay request whose reply is to come). */
  sent(entry: PendingEntry, via: Via, resend = false, awaitingReply = false): void {
    const e = entry as Entry;
    e.via = via;
    e.sentAt = this.now();
    e.resent ||= resend;
    e.awaitingReply = awaitingReply;
  }

  /**
   * After an ack of `s` from `uid` on `stream`: the frame to send again at once because the
   * receiver waits for one we gave up on (or it restarted its stream) — the first pending one,
   * unless it went out less than `minAgeMs` ago (then it is probably just in flight).
   */
  stuckAt(uid: string, stream: string, s: number, minAgeMs: number): PendingEntry | undefined {
    const lane = this.lane(uid, stream);
    if (!lane || s >= lane.mustPass) return undefined;
    const first = lane.pending.values().next().value;
    return first && this.now() - first.sentAt >= minAgeMs ? first : undefined;
  }

  /** Forgets the lane of (uid, stream): its pending frames stop counting (see dropLane). */
  dropReceiver(uid: string, stream: string, code: number): void {
    const lane = this.lane(uid, stream);
    if (lane) this.dropLane(lane, code, true);
  }

  /**
   * A cumulative ack from `uid`: everything up to `s` on `stream` arrived. Returns 'stale' when
   * `s` is a seq we never sent: the receiver still counts an earlier incarnation of us (another
   * device whose clock ran ahead) — see resync. 'forged' when no incarnation of us can have
   * sent `s` (see MAX_RESYNC_SEQ): ignore it.
   */
  ack(uid: string, stream: string, s: number): 'ok' | 'stale' | 'forged' | 'unknown' {
    const lane = this.lane(uid, stream);
    if (!lane) return 'unknown';
    const limit = lane.roomId === null ? lane.next : this.roomCounter(lane.roomId).next;
    if (s >= limit) return s > MAX_RESYNC_SEQ ? 'forged' : 'stale';
    if (s > lane.highestAck) {
      lane.highestAck = s;
      lane.progressed(this.now());
      lane.stuckSince = 0;
    }
    let newest: Entry | undefined;
    for (const [seq, entry] of lane.pending) {
      if (seq > s) break;
      if (entry.via !== null) newest = entry;
      this.remove(lane, seq);
      this.release(entry.msg, uid);
    }
    // Karn: only a frame sent once times the round trip.
    if (newest && !newest.resent) lane.sample(this.now() - newest.sentAt);
    return 'ok';
  }

  /**
   * Moves our numbering past a stale receiver's `s`, so it stops taking our frames for
   * duplicates. A user lane renumbers its pending frames (returned: they must be sent again);
   * a room counter is shared, so it jumps for every member (their lanes carry `f` across the
   * gap) and the stale member's pending frames are given up.
   */
  resync(uid: string, stream: string, s: number): PendingEntry[] {
    const lane = this.lane(uid, stream);
    if (!lane) return [];
    if (lane.roomId === null) {
      const old = [...lane.pending.values()];
      lane.pending.clear();
      lane.inFlight = old.length;
      lane.next = Math.max(lane.next, s + 1);
      if (s > lane.mustPass) lane.mustPass = s;
      return old.map((e) => {
        const seq = lane.next++;
        const entry: Entry = {
          uid: lane.uid, lane, seq, frame: { ...e.frame, s: seq }, msg: e.msg, via: e.via ?? 'relay', sentAt: 0, resent: true, awaitingReply: false,
        };
        lane.pending.set(seq, entry);
        e.msg.entries.push({ lane, seq });
        return entry;
      });
    }
    const counter = this.roomCounter(lane.roomId);
    counter.next = Math.max(counter.next, s + 1);
    for (const byStream of this.lanes.values()) {
      const member = byStream.get(lane.stream);
      if (member && s > member.mustPass) member.mustPass = s;
    }
    for (const seq of [...lane.pending.keys()]) this.abandon(lane, seq);
    return [];
  }

  /**
   * Gives up on one frame to one receiver of a room message (receiver gone): the message no
   * longer waits for it. User messages fail instead (see fail).
   */
  private abandon(lane: Lane, seq: number): void {
    const entry = this.remove(lane, seq);
    if (seq > lane.mustPass) lane.mustPass = seq;
    if (entry) this.release(entry.msg, lane.uid);
  }

  /** Ends a message with `code` (a failure) and forgets its frames everywhere. */
  fail(msg: TrackedMessage, code: number): void {
    if (msg.done) return;
    this.finish(msg, code);
    // Never replayed to anyone: its result said it was not delivered.
    if (msg.kind === 'room' && msg.entries.length > 0) this.history.remove(msg.stream, msg.entries[0].seq);
    for (const { lane, seq } of msg.entries) {
      if (lane.pending.get(seq)?.msg !== msg) continue;
      this.remove(lane, seq);
      if (seq > lane.mustPass) lane.mustPass = seq;
    }
  }

  /**
   * The receiver is no longer reachable on this lane (left the room, went offline): its pending
   * frames stop counting. Room messages complete when nobody else owes; user messages get `code`.
   * With `forget`, the lane itself goes (its receiver's stream state is reset too).
   */
  private dropLane(lane: Lane, code: number, forget: boolean): void {
    for (const [seq, entry] of [...lane.pending]) {
      if (entry.msg.kind === 'user') this.fail(entry.msg, code);
      else this.abandon(lane, seq);
    }
    if (forget) {
      const byStream = this.lanes.get(lane.uid);
      byStream?.delete(lane.stream);
      if (byStream?.size === 0) this.lanes.delete(lane.uid);
    }
  }

  /** Forgets a room's counter and every member lane of its stream (we left the room). */
  dropRoom(roomId: string, stream: string, code: number): void {
    for (const msg of [...this.messages.values()]) if (msg.stream === stream) this.fail(msg, code);
    for (const byStream of [...this.lanes.values()]) {
      const lane = byStream.get(stream);
      if (lane) this.dropLane(lane, code, true);
    }
    this.roomCounters.delete(roomId);
    this.history.drop(stream);
  }

  /** Messages older than `timeoutMs` fail with `code`. Returns how many. */
  expire(timeoutMs: number, code: number): number {
    const cutoff = this.now() - timeoutMs;
    let n = 0;
    for (const msg of [...this.messages.values()]) {
      if (msg.createdAt > cutoff) break;
      this.fail(msg, code);
      n++;
    }
    return n;
  }

  /** Fails every message and forgets all state (logout). */
  reset(code: number): void {
    for (const msg of [...this.messages.values()]) this.fail(msg, code);
    this.lanes.clear();
    this.roomCounters.clear();
    this.drainable.clear();
    this.history.clear();
  }

  private release(msg: TrackedMessage, uid: string): void {
    if (msg.done) return;
    msg.owers.delete(uid);
    if (msg.owers.size === 0) this.finish(msg, SUCCESS_CODE[msg.kind]);
  }

  private finish(msg: TrackedMessage, code: number): void {
    msg.done = true;
    this.messages.delete(msg.msgId);
    msg.onResult(code);
  }

  /** Starts tracking a message; its result fires once, when `owers` empties or it fails. */
  private track(
    msgId: number, kind: MessageKind, stream: string, owers: Iterable<string>, onResult: (code: number) => void,
  ): TrackedMessage {
    const msg: TrackedMessage = {
      msgId, kind, stream, owers: new Set(owers), createdAt: this.now(), entries: [], done: false, onResult,
    };
    this.messages.set(msgId, msg);
    return msg;
  }

  private addPending(lane: Lane, seq: number, frame: MessageFrame, msg: TrackedMessage): Entry {
    // Over the window (or behind others waiting): queued, sent by drainReady when acks make room.
    const queued = lane.inFlight >= this.window || lane.pending.size > lane.inFlight;
    const entry: Entry = { uid: lane.uid, lane, seq, frame, msg, via: queued ? null : 'relay', sentAt: this.now(), resent: false, awaitingReply: false };
    if (!queued) lane.inFlight++;
    lane.pending.set(seq, entry);
    msg.entries.push({ lane, seq });
    return entry;
  }

  /** Takes `seq` out of its lane (acked, handed off, abandoned or failed), keeping the window's count. */
  private remove(lane: Lane, seq: number): Entry | undefined {
    const entry = lane.pending.get(seq);
    if (!entry) return undefined;
    lane.pending.delete(seq);
    if (entry.via !== null) lane.inFlight--;
    if (lane.pending.size > lane.inFlight) this.drainable.add(lane);
    return entry;
  }

  private lane(uid: string, stream: string): Lane | undefined {
    return this.lanes.get(uid)?.get(stream);
  }

  private allLanes(): Lane[] {
    const all: Lane[] = [];
    for (const byStream of this.lanes.values()) all.push(...byStream.values());
    return all;
  }

  /** The lane of a room member; created with the room counter's current value as first owed seq. */
  private memberLane(roomId: string, stream: string, uid: string): Lane {
    return this.lane(uid, stream) ?? this.addLane(new Lane(uid, stream, this.roomCounter(roomId).next, roomId));
  }

  private addLane(lane: Lane): Lane {
    let byStream = this.lanes.get(lane.uid);
    if (!byStream) this.lanes.set(lane.uid, (byStream = new Map()));
    byStream.set(lane.stream, lane);
    return lane;
  }

  private roomCounter(roomId: string): { next: number } {
    let counter = this.roomCounters.get(roomId);
    if (!counter) this.roomCounters.set(roomId, (counter = { next: this.seqBase() }));
    return counter;
  }

  private seqBase(): number {
    // Microsecond units: a counter (≤ a few hundred frames a second) can never catch up with the
    // clock. Shared by every engine in the process and strictly increasing, so two engines of
    // the same uid created in the same millisecond still start apart.
    Outbox.lastBase = Math.max(Outbox.lastBase + SEQ_BASE_GAP, Math.floor(this.now()) * 1000);
    return Outbox.lastBase;
  }

  private static lastBase = 0;
}
