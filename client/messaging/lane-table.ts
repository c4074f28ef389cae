// The outbox's lane bookkeeping: which lanes exist, the counters that number their frames, and
// each lane's send window. Kept apart from outbox.ts so the outbox holds to messages and their
// end-to-end results, while this file alone owns where a frame sits and when it may go.
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
import { Lane, type Entry, type TrackedMessage } from './lane.js';
import type { PendingSelector } from './outbox-types.js';

/** Distance between two counters started in the same millisecond (more than a lane ever sends per ms). */
const SEQ_BASE_GAP = 1000;

export class LaneTable {
  /** uid → stream → lane */
  private readonly lanes = new Map<string, Map<string, Lane>>();
  private readonly roomCounters = new Map<string, { next: number }>();
  /** Lanes with queued entries that got room in their window since the last drainReady. */
  private readonly drainable = new Set<Lane>();
  /**
   * Lanes with pending entries: what the resend sweep looks at. A sender in a room of 200 has
   * 199 lanes, and the sweep runs ten times a second while anything is pending; walking only
   * these keeps its cost with the traffic, not with the room's size.
   */
  private readonly busyLanes = new Set<Lane>();
  /** Lanes whose receiver reports a gap (stuckSince ≠ 0), maintained by markStuck. */
  private readonly stuckLanes = new Set<Lane>();

  /** `window`: unacknowledged frames per lane, at most. */
  constructor(private readonly now: () => number, private readonly window: number) {}

  get(uid: string, stream: string): Lane | undefined {
    return this.lanes.get(uid)?.get(stream);
  }

  all(): Lane[] {
    const all: Lane[] = [];
    for (const byStream of this.lanes.values()) all.push(...byStream.values());
    return all;
  }

  /** The lanes with pending entries (sent or waiting for their window). */
  busy(): Iterable<Lane> {
    return this.busyLanes;
  }

  /** The lanes whose receiver reports a gap. */
  stuck(): Iterable<Lane> {
    return this.stuckLanes;
  }

  get anyStuck(): boolean {
    return this.stuckLanes.size > 0;
  }

  /** Sets or clears (0) since when `lane`'s receiver reports a gap. */
  markStuck(lane: Lane, since: number): void {
    lane.stuckSince = since;
    if (since === 0) this.stuckLanes.delete(lane);
    else this.stuckLanes.add(lane);
  }

  /** The lanes of every receiver on `stream`. */
  ofStream(stream: string): Lane[] {
    const out: Lane[] = [];
    for (const byStream of this.lanes.values()) {
      const lane = byStream.get(stream);
      if (lane) out.push(lane);
    }
    return out;
  }

  /** The lane of a user stream, numbered on its own counter. */
  user(uid: string, stream: string): Lane {
    return this.get(uid, stream) ?? this.add(new Lane(uid, stream, this.seqBase(), null));
  }

  /** The lane of a room member; created with the room counter's current value as first owed seq. */
  member(roomId: string, stream: string, uid: string): Lane {
    return this.get(uid, stream) ?? this.add(new Lane(uid, stream, this.counter(roomId).next, roomId));
  }

  counter(roomId: string): { next: number } {
    let counter = this.roomCounters.get(roomId);
    if (!counter) this.roomCounters.set(roomId, (counter = { next: this.seqBase() }));
    return counter;
  }

  /** The seq `lane` numbers next (from its own counter or its room's): nothing at or above it was sent. */
  limit(lane: Lane): number {
    return lane.roomId === null ? lane.next : this.counter(lane.roomId).next;
  }

  /** The pending entries `select` names, in lane and seq order. */
  pending(select: PendingSelector = {}): Entry[] {
    const { uid, via, sentBefore } = select;
    const lanes = typeof uid === 'string' ? [...(this.lanes.get(uid)?.values() ?? [])] : this.all();
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

  addPending(lane: Lane, seq: number, frame: MessageFrame, msg: TrackedMessage): Entry {
    // Over the window (or behind others waiting): queued, sent by drainReady when acks make room.
    const queued = lane.inFlight >= this.window || lane.pending.size > lane.inFlight;
    const entry: Entry = { uid: lane.uid, lane, seq, frame, msg, via: queued ? null : 'relay', sentAt: this.now(), resent: false, awaitingReply: false };
    if (!queued) lane.inFlight++;
    lane.pending.set(seq, entry);
    this.busyLanes.add(lane);
    msg.entries.push({ lane, seq });
    return entry;
  }

  /** Takes `seq` out of its lane (acked, handed off, abandoned or failed), keeping the window's count. */
  remove(lane: Lane, seq: number): Entry | undefined {
    const entry = lane.pending.get(seq);
    if (!entry) return undefined;
    lane.pending.delete(seq);
    if (lane.pending.size === 0) this.busyLanes.delete(lane);
    if (entry.via !== null) lane.inFlight--;
    if (lane.pending.size > lane.inFlight) this.drainable.add(lane);
    return entry;
  }

  /** Entries that were waiting for room in their lane's window and have it now, in seq order. */
  drainReady(): Entry[] {
    const out: Entry[] = [];
    for (const lane of this.drainable) out.push(...lane.takeQueued(this.window));
    this.drainable.clear();
    return out;
  }

  /** Renumbers the pending frames of user lane `lane` past `s`; returns them, to be sent again. */
  renumber(lane: Lane, s: number): Entry[] {
    const old = [...lane.pending.values()];
    lane.pending.clear();
    lane.inFlight = old.length;
    lane.next = Math.max(lane.next, s + 1);
    if (s > lane.mustPass) lane.mustPass = s;
    if (old.length === 0) this.busyLanes.delete(lane);
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

  /** Moves the counter of `roomId` past `s`: every member's lane carries `f` across the gap. */
  skipRoom(roomId: string, stream: string, s: number): void {
    const counter = this.counter(roomId);
    counter.next = Math.max(counter.next, s + 1);
    for (const member of this.ofStream(stream)) if (s > member.mustPass) member.mustPass = s;
  }

  /** Forgets `lane` (its receiver's stream state starts over). */
  forget(lane: Lane): void {
    const byStream = this.lanes.get(lane.uid);
    byStream?.delete(lane.stream);
    if (byStream?.size === 0) this.lanes.delete(lane.uid);
    this.busyLanes.delete(lane);
    this.stuckLanes.delete(lane);
  }

  dropCounter(roomId: string): void {
    this.roomCounters.delete(roomId);
  }

  clear(): void {
    this.lanes.clear();
    this.roomCounters.clear();
    this.drainable.clear();
    this.busyLanes.clear();
    this.stuckLanes.clear();
  }

  private add(lane: Lane): Lane {
    let byStream = this.lanes.get(lane.uid);
    if (!byStream) this.lanes.set(lane.uid, (byStream = new Map()));
    byStream.set(lane.stream, lane);
    return lane;
  }

  private seqBase(): number {
    // Microsecond units: a counter (≤ a few hundred frames a second) can never catch up with the
    // clock. Shared by every engine in the process and strictly increasing, so two engines of
    // the same uid created in the same millisecond still start apart.
    LaneTable.lastBase = Math.max(LaneTable.lastBase + SEQ_BASE_GAP, Math.floor(this.now()) * 1000);
    return LaneTable.lastBase;
  }

  private static lastBase = 0;
}
