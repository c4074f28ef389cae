// The sender's half of reliable delivery: sequence numbers, the frames each receiver still owes
// us an acknowledgement for, and the end-to-end result of every message. Lanes, their counters
// and their windows are kept in lane-table.ts.
import type { MessageFrame } from '../../shared/frame.js';
import { asResend, makeFrame, withFirst, type Payload } from './frames.js';
import type { Lane, Entry, PendingEntry, RtoBounds } from './lane.js';
import { LaneTable } from './lane-table.js';
import type { MessageKind, OutboxOptions, PendingSelector, TrackedMessage, Via } from './outbox-types.js';
import { RoomHistory } from './room-history.js';

export type { PendingEntry, RtoBounds } from './lane.js';
export type { MessageKind, OutboxOptions, PendingSelector, TrackedMessage, Via } from './outbox-types.js';

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
  private readonly lanes: LaneTable;
  /** msgId → message, in creation order (msgIds increase), for the timeout sweep. */
  private readonly messages = new Map<number, TrackedMessage>();
  private readonly history: RoomHistory;
  private readonly now: () => number;
  readonly rtoBounds: () => RtoBounds;

  constructor(opts: OutboxOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.lanes = new LaneTable(this.now, opts.window ?? 128);
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
    const lane = this.lanes.user(uid, stream);
    const seq = lane.next++;
    const msg = this.track(msgId, 'user', stream, [uid], onResult);
    return this.lanes.addPending(lane, seq, makeFrame(stream, seq, data), msg);
  }

  /** Queues a broadcast to `members` of `roomId`: one frame, one room seq, an entry per member. */
  enqueueRoom(
    roomId: string, stream: string, members: Iterable<string>, data: Payload, msgId: number, onResult: (code: number) => void,
  ): { frame: MessageFrame; msg: TrackedMessage; entries: PendingEntry[] } {
    const seq = this.lanes.counter(roomId).next++;
    const frame = makeFrame(stream, seq, data);
    this.history.add(stream, seq, frame);
    const msg = this.track(msgId, 'room', stream, members, onResult);
    const entries = [...msg.owers].map((uid) => this.lanes.addPending(this.lanes.member(roomId, stream, uid), seq, frame, msg));
    return { frame, msg, entries };
  }

  /** Starts owing `uid` the broadcasts of `roomId` from now on (nothing sent before it joined). */
  addMember(roomId: string, stream: string, uid: string): void {
    this.lanes.member(roomId, stream, uid);
  }

  /** The pending entries `select` names, in lane and seq order. */
  pending(select: PendingSelector = {}): PendingEntry[] {
    return this.lanes.pending(select);
  }

  /** Whether `entry` may go out now; if not it waits for room in its lane's window (drainReady). */
  mayTransmit(entry: PendingEntry): boolean {
    return (entry as Entry).via !== null;
  }

  /** Entries that were waiting for room in their lane's window and have it now, in seq order. */
  drainReady(): PendingEntry[] {
    return this.lanes.drainReady();
  }

  /**
   * Lanes whose resend timer expired (no progress for their RTO since the oldest frame went):
   * their sent frames, to send again. The lane's timeout doubles. Frames whose relay request is
   * still outstanding are left alone: the server path is reliable while the request lives.
   */
  due(): PendingEntry[] {
    const now = this.now();
    const bounds = this.rtoBounds();
    const out: PendingEntry[] = [];
    for (const lane of this.lanes.busy()) {
      const due = lane.due(now, bounds);
      for (let i = 0; i < due.length; i++) out.push(due[i]);
    }
    return out;
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
    this.lanes.remove(lane, seq);
    this.release(e.msg, lane.uid);
  }

  /**
   * `uid` reported a gap on `stream` below broadcasts the server handed it: if no ack moves the
   * lane within its timeout (the missing broadcast is usually just late: waiting for the room's
   * budget), stuckReplays names it.
   */
  reportedGap(uid: string, stream: string, s: number): void {
    const lane = this.lanes.get(uid, stream);
    if (lane && lane.roomId !== null && lane.lastHanded > s && lane.stuckSince === 0) this.lanes.markStuck(lane, this.now());
  }

  /** Receivers still stuck a timeout after reporting a gap: [uid, stream] to replay to. */
  stuckReplays(): Array<[string, string]> {
    const now = this.now();
    const bounds = this.rtoBounds();
    const out: Array<[string, string]> = [];
    for (const lane of this.lanes.stuck()) {
      if (now - lane.stuckSince < lane.rto(bounds)) continue;
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
    const lane = this.lanes.get(uid, stream);
    if (!lane || lane.roomId === null || lane.lastHanded <= lane.highestAck) return [];
    // Up to the first frame still on its way (e.g. waiting for the room's budget): it comes anyway.
    let to = lane.lastHanded;
    for (const seq of lane.pending.keys()) {
      to = Math.min(to, seq - 1);
      break;
    }
    const frames = this.history.range(stream, Math.max(lane.highestAck + 1, lane.firstOwed), to, this.now());
    return frames.map((frame, i) => (i === 0 ? withFirst(frame, frame.s ?? 1, true) : asResend(frame)));
  }

  /** Some receiver reports a gap we may have to fill (the sweep must keep running). */
  get anyStuck(): boolean {
    return this.lanes.anyStuck;
  }

  /** Whether `entry` still waits for its ack. */
  isPending(entry: PendingEntry): boolean {
    const { lane, seq } = entry as Entry;
    return lane.pending.get(seq) === entry;
  }

  /** The frame of `entry` as first numbered (without `f` or `x`). */
  frameOf(entry: PendingEntry): MessageFrame {
    return (entry as Entry).frame;
  }

  /** The frame to put on the wire for `entry`: with `f` while the receiver must learn where to start. */
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
    const lane = this.lanes.get(uid, stream);
    if (!lane || s >= lane.mustPass) return undefined;
    const first = lane.pending.values().next().value;
    return first && this.now() - first.sentAt >= minAgeMs ? first : undefined;
  }

  /** Forgets the lane of (uid, stream): its pending frames stop counting (see dropLane). */
  dropReceiver(uid: string, stream: string, code: number): void {
    const lane = this.lanes.get(uid, stream);
    if (lane) this.dropLane(lane, code, true);
  }

  /**
   * A cumulative ack from `uid`: everything up to `s` on `stream` arrived. Returns 'stale' when
   * `s` is a seq we never sent: the receiver still counts an earlier incarnation of us (another
   * device whose clock ran ahead) — see resync. 'forged' when no incarnation of us can have
   * sent `s` (see MAX_RESYNC_SEQ): ignore it.
   */
  ack(uid: string, stream: string, s: number): 'ok' | 'stale' | 'forged' | 'unknown' {
    const lane = this.lanes.get(uid, stream);
    if (!lane) return 'unknown';
    if (s >= this.lanes.limit(lane)) return s > MAX_RESYNC_SEQ ? 'forged' : 'stale';
    if (s > lane.highestAck) {
      lane.highestAck = s;
      lane.progressed(this.now());
      if (lane.stuckSince !== 0) this.lanes.markStuck(lane, 0);
    }
    let newest: Entry | undefined;
    for (const [seq, entry] of lane.pending) {
      if (seq > s) break;
      if (entry.via !== null) newest = entry;
      this.lanes.remove(lane, seq);
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
    const lane = this.lanes.get(uid, stream);
    if (!lane) return [];
    if (lane.roomId === null) return this.lanes.renumber(lane, s);
    this.lanes.skipRoom(lane.roomId, lane.stream, s);
    for (const seq of [...lane.pending.keys()]) this.abandon(lane, seq);
    return [];
  }

  /**
   * Gives up on one frame to one receiver of a room message (receiver gone): the message no
   * longer waits for it. User messages fail instead (see fail).
   */
  private abandon(lane: Lane, seq: number): void {
    const entry = this.lanes.remove(lane, seq);
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
      this.lanes.remove(lane, seq);
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
    if (forget) this.lanes.forget(lane);
  }

  /** Forgets a room's counter and every member lane of its stream (we left the room). */
  dropRoom(roomId: string, stream: string, code: number): void {
    for (const msg of [...this.messages.values()]) if (msg.stream === stream) this.fail(msg, code);
    for (const lane of this.lanes.ofStream(stream)) this.dropLane(lane, code, true);
    this.lanes.dropCounter(roomId);
    this.history.drop(stream);
  }

  /** Messages older than `timeoutMs` fail with `code`. Returns how many. */
  expire(timeoutMs: number, code: number): number {
    const cutoff = this.now() - timeoutMs;
    // Oldest first: stop at the first one still in time (no copy of the map each sweep).
    const expired: TrackedMessage[] = [];
    for (const msg of this.messages.values()) {
      if (msg.createdAt > cutoff) break;
      expired.push(msg);
    }
    for (const msg of expired) this.fail(msg, code);
    return expired.length;
  }

  /** Fails every message and forgets all state (logout). */
  reset(code: number): void {
    for (const msg of [...this.messages.values()]) this.fail(msg, code);
    this.lanes.clear();
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
}
