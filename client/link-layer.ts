// The engine's direct links as one unit: which peers we want links to and why (the one record of
// it), the LinkManager's lifetime (attached per login session, none in relay-only mode or when no
// WebRTC stack could be loaded), the signaling it exchanges through the server — in directly from
// the connection, out through `sendSignal` — and the path each wanted peer is on.
//
// Without a LinkManager the peers we want are on the relay, and offers or link requests from
// peers are declined, so they stop trying instead of retrying a link that can never open.
//
// Caps (SPEC §10): of a room's members only those link-selection.ts picks are asked of the
// LinkManager (at most maxPeerLinks per room), P2P contacts first and then rooms up to
// maxPeerLinksTotal; the other members are reported 'relay' with the reason 'cap'. An offer or
// link request from a member we did not pick, or from anyone once we are at the total cap, is
// declined: the sender then stays on the server (no retries) until one of us picks the other.
// Membership changes re-balance after a short debounce, so a burst of joins costs one pass.
import type { Frame } from '../shared/frame.js';
import type { Logger } from './base-types.js';
import { selectRoomPeers } from './link-selection.js';
import { declineFor } from './peer/link-signal.js';
import type {
  ChannelKind, LinkManager, LinkManagerContext, LinkManagerEvents, LinkManagerFactory, LinkPath, LinkPathEvents, LinkReason, PathReason,
  PeerLinkState, WantReason,
} from './transport/types.js';
import { TypedEmitter } from './typed-emitter.js';

export interface LinkLayerOptions {
  logger: Logger;
  /** The factory in force (null: no links); read at every attach. */
  factory(): LinkManagerFactory | null;
  /** What the factory is given (the uid is the one logged in at attach time). */
  context(): LinkManagerContext;
  /** Signaling data for `uid`, to send through the server (rtc:signal). */
  sendSignal(uid: string, signal: Record<string, unknown>): void;
  /** The caps in force (parameters.maxPeerLinks / maxPeerLinksTotal); read at every re-balance. */
  caps?(): { perRoom: number; total: number };
  /** Debounce between a membership change and the re-balance of a room's links. Default 150 ms. */
  rebalanceMs?: number;
}

type Signal = { from: string; signal: Record<string, unknown> };

/** Signals kept while an async factory loads; a flood beyond this is dropped (peers retry). */
const MAX_SIGNALS_WHILE_LOADING = 500;

const PATH_OF: Record<Parameters<LinkManagerEvents['state']>[1], PeerLinkState> = {
  connecting: 'connecting', open: 'p2p', down: 'relay', closed: 'closed',
};

const kindOf = (reason: WantReason): LinkReason => (reason === 'p2p' ? 'p2p' : 'room');
const roomOf = (reason: WantReason): string | null => (reason.startsWith('room:') ? reason.slice(5) : null);
const NO_CAPS = { perRoom: Infinity, total: Infinity };

export class LinkLayer extends TypedEmitter<LinkPathEvents> implements LinkPath {
  private manager: LinkManager | null = null;
  private readonly wants = new Map<string, Set<WantReason>>();
  /** The reasons of `wants` the LinkManager was asked for: what the caps leave of them. */
  private readonly granted = new Map<string, Set<WantReason>>();
  /** roomId → its other members (from the 'room:' wants). */
  private readonly roomMembers = new Map<string, Set<string>>();
  private rebalanceTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly reported = new Map<string, PeerLinkState>();
  /** The state and reason last reported per uid, so a change of reason alone is reported too. */
  private readonly reportedKey = new Map<string, string>();
  /** Bumped at every attach and detach, so a slow async factory knows it is too late. */
  private generation = 0;
  /**
   * Signals that arrive while the factory runs (loading a native WebRTC module takes a while),
   * replayed once the manager is there: an offer lost here would leave the peer waiting for its
   * connect timeout. null when nothing is loading.
   */
  private early: Signal[] | null = null;
  /** The last attach failed (e.g. no WebRTC module): relay only until the next attach. */
  private failed = false;

  private readonly onFrames: LinkManagerEvents['frames'] = (uid, frames) => this.emit('frames', uid, frames);
  private readonly onSignal: LinkManagerEvents['signal'] = (uid, signal) => this.opts.sendSignal(uid, signal);
  private readonly onState: LinkManagerEvents['state'] = (uid, state) => this.managerState(uid, state);

  constructor(private readonly opts: LinkLayerOptions) {
    super((event, error) => opts.logger.error(`link layer listener for ${event} threw`, error));
  }

  /** The LinkManager in use; null when relay only, logged out, or while it is being created. */
  get current(): LinkManager | null {
    return this.manager;
  }

  /** Remote users we want a link to, for any reason. */
  get wantedPeers(): number {
    return this.wants.size;
  }

  /** The path last reported for `uid` (onPeerLinkStateChanged); undefined when never reported. */
  pathOf(uid: string): PeerLinkState | undefined {
    return this.reported.get(uid);
  }

  /** Per room: members, members with an open direct link, members reached through the server. */
  roomPaths(roomId: string): { members: number; direct: number; viaServer: number } {
    const members = this.roomMembers.get(roomId);
    if (!members) return { members: 0, direct: 0, viaServer: 0 };
    let direct = 0;
    for (const uid of members) if (this.isOpen(uid)) direct++;
    return { members: members.size, direct, viaServer: members.size - direct };
  }

  openLinks(): number {
    return this.manager?.stats().open ?? 0;
  }

  // ---- lifetime -----------------------------------------------------------------------------

  /** Creates the LinkManager (unless there is one, or no factory). Frames go by relay meanwhile. */
  attach(): void {
    const factory = this.opts.factory();
    if (this.manager || !factory) return;
    const generation = ++this.generation;
    this.early = [];
    this.failed = false;
    const adopt = (made: LinkManager): void => {
      if (generation !== this.generation || this.manager) {
        made.destroy();
        return;
      }
      const early = this.early ?? [];
      this.early = null;
      this.use(made);
      for (const ev of early) made.handleSignal(ev.from, ev.signal);
    };
    const fail = (e: unknown): void => {
      // The error says what is wrong (e.g. which package to install: WebRTCUnavailableError).
      this.opts.logger.error(`${e instanceof Error ? e.message : String(e)} — no peer links, messages go through the server`, e);
      if (generation !== this.generation) return;
      this.failed = true;
      const early = this.early ?? [];
      this.early = null;
      for (const ev of early) this.decline(ev);
    };
    try {
      const made = factory(this.opts.context());
      if (isThenable(made)) made.then(adopt, fail);
      else adopt(made);
    } catch (e) {
      fail(e);
    }
  }

  /** Closes the LinkManager: the peers we want go to the relay. */
  detach(): void {
    this.generation++;
    this.early = null;
    const old = this.manager;
    if (!old) return;
    this.use(null);
    try {
      old.destroy();
    } catch (e) {
      this.opts.logger.error('closing the peer link layer failed', e);
    }
  }

  /** Signaling data that arrived from `from` through the server. */
  handleSignal(from: string, signal: Record<string, unknown>): void {
    if (this.manager && !this.admits(from, signal)) {
      const decline = declineFor(signal);
      if (decline) this.opts.sendSignal(from, decline);
      return;
    }
    if (this.manager) this.manager.handleSignal(from, signal);
    else if (this.early) {
      if (this.early.length < MAX_SIGNALS_WHILE_LOADING) this.early.push({ from, signal });
    } else this.decline({ from, signal });
  }

  destroy(): void {
    this.detach();
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = null;
    this.wants.clear();
    this.granted.clear();
    this.roomMembers.clear();
    this.reported.clear();
    this.reportedKey.clear();
    this.removeAllListeners();
  }

  // ---- the path ------------------------------------------------------------------------------

  /**
   * Frames to `uid` may go direct: its link is open and its path is 'p2p'. A link reported
   * 'relay' while its connection stays up (gone silent, an ICE restart under way) is not used.
   */
  isOpen(uid: string): boolean {
    return this.reported.get(uid) === 'p2p' && this.manager?.isOpen(uid) === true;
  }

  send(uid: string, frames: Frame[], channel?: ChannelKind): boolean {
    return this.isOpen(uid) && this.manager!.send(uid, frames, channel);
  }

  want(uid: string, reason: WantReason): void {
    let reasons = this.wants.get(uid);
    if (!reasons) this.wants.set(uid, (reasons = new Set()));
    if (reasons.has(reason)) return;
    reasons.add(reason);
    const roomId = roomOf(reason);
    if (roomId !== null) {
      let members = this.roomMembers.get(roomId);
      if (!members) this.roomMembers.set(roomId, (members = new Set()));
      members.add(uid);
      // A full mesh (the common small room) links at once, as without caps; a larger room waits
      // for the burst of joins to settle.
      if (members.size > this.caps().perRoom) return this.deferred(uid);
    }
    if (!this.granted.has(uid) && this.granted.size >= this.caps().total) return this.deferred(uid);
    this.grant(uid, reason);
  }

  unwant(uid: string, reason: WantReason): void {
    const reasons = this.wants.get(uid);
    if (!reasons?.delete(reason)) return;
    if (reasons.size === 0) this.wants.delete(uid);
    const roomId = roomOf(reason);
    if (roomId !== null) {
      const members = this.roomMembers.get(roomId);
      members?.delete(uid);
      if (members?.size === 0) this.roomMembers.delete(roomId);
      else if (members && members.size >= this.caps().perRoom) this.scheduleRebalance();
    }
    this.revoke(uid, reason);
    if (this.granted.has(uid)) return;
    // Not asked of the LinkManager (any more): nobody else reports this uid.
    if (reasons.size > 0) this.report(uid, 'relay');
    else if (this.reported.has(uid) && this.reported.get(uid) !== 'closed') this.report(uid, 'closed');
  }

  /** Applies the caps now (normally after the debounce). Returns how many peers are granted. */
  rebalance(): number {
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = null;
    const want = this.chosen();
    for (const [uid, reasons] of [...this.granted]) {
      for (const reason of [...reasons]) if (!want.get(uid)?.has(reason)) this.revoke(uid, reason);
    }
    for (const [uid, reasons] of want) for (const reason of reasons) this.grant(uid, reason);
    for (const uid of this.wants.keys()) if (!this.granted.has(uid)) this.report(uid, 'relay');
    return this.granted.size;
  }

  unwantAll(): void {
    for (const [uid, reasons] of [...this.wants]) for (const reason of [...reasons]) this.unwant(uid, reason);
  }

  // ---- internals ----------------------------------------------------------------------------

  private use(manager: LinkManager | null): void {
    const old = this.manager;
    if (old) {
      old.off('frames', this.onFrames);
      old.off('state', this.onState);
      old.off('signal', this.onSignal);
    }
    this.manager = manager;
    if (manager) {
      manager.on('frames', this.onFrames);
      manager.on('state', this.onState);
      manager.on('signal', this.onSignal);
      for (const [uid, reasons] of this.granted) {
        for (const kind of ['room', 'p2p'] as const) if (this.hasKind(reasons, kind)) manager.want(uid, kind);
      }
      // On the server for want of a link layer until now; from now on because of the cap.
      for (const uid of this.wants.keys()) if (!this.granted.has(uid)) this.report(uid, 'relay');
    } else {
      for (const uid of this.wants.keys()) this.report(uid, 'relay');
    }
    this.emit('replaced');
  }

  /** Without a link layer to come (none wanted, none loadable), tell the peer not to wait for one. */
  private decline(ev: Signal): void {
    if (this.opts.factory() && !this.failed) return; // one is coming at the next attach
    const decline = declineFor(ev.signal);
    if (decline) this.opts.sendSignal(ev.from, decline);
  }

  private hasKind(reasons: Set<WantReason>, kind: LinkReason): boolean {
    for (const r of reasons) if (kindOf(r) === kind) return true;
    return false;
  }

  private caps(): { perRoom: number; total: number } {
    return this.opts.caps?.() ?? NO_CAPS;
  }

  /** Asks the LinkManager for `reason` of `uid` (under the caps, as decided by the caller). */
  private grant(uid: string, reason: WantReason): void {
    let reasons = this.granted.get(uid);
    if (!reasons) this.granted.set(uid, (reasons = new Set()));
    if (reasons.has(reason)) return;
    const kindIsNew = !this.hasKind(reasons, kindOf(reason));
    reasons.add(reason);
    if (!this.manager) this.report(uid, 'relay');
    else if (kindIsNew) this.manager.want(uid, kindOf(reason));
  }

  private revoke(uid: string, reason: WantReason): void {
    const reasons = this.granted.get(uid);
    if (!reasons?.delete(reason)) return;
    if (reasons.size === 0) this.granted.delete(uid);
    if (this.manager && !this.hasKind(reasons, kindOf(reason))) this.manager.unwant(uid, kindOf(reason));
  }

  /** Over a cap for now: on the server until the re-balance says otherwise. */
  private deferred(uid: string): void {
    this.scheduleRebalance();
    this.report(uid, 'relay');
  }

  private scheduleRebalance(): void {
    if (this.rebalanceTimer) return;
    this.rebalanceTimer = setTimeout(() => this.rebalance(), this.opts.rebalanceMs ?? 150);
    (this.rebalanceTimer as { unref?: () => void }).unref?.();
  }

  /** What the caps let us ask for: P2P contacts first, then each room's picks, to the total cap. */
  private chosen(): Map<string, Set<WantReason>> {
    const { perRoom, total } = this.caps();
    const self = this.opts.context().selfUid;
    const out = new Map<string, Set<WantReason>>();
    const add = (uid: string, reason: WantReason): void => {
      const reasons = out.get(uid);
      if (reasons) reasons.add(reason);
      else if (out.size < total) out.set(uid, new Set([reason]));
    };
    for (const [uid, reasons] of this.wants) if (reasons.has('p2p')) add(uid, 'p2p');
    for (const [roomId, members] of this.roomMembers) {
      for (const uid of selectRoomPeers(self, roomId, members, perRoom)) add(uid, `room:${roomId}`);
    }
    return out;
  }

  /** Whether to take an offer or link request from `uid` (else it is declined: see the header). */
  private admits(uid: string, signal: Record<string, unknown>): boolean {
    if (signal.type !== 'offer' && signal.type !== 'link-request') return true;
    if (this.granted.has(uid) || this.manager?.isOpen(uid)) return true;
    const { perRoom, total } = this.caps();
    const self = this.opts.context().selfUid;
    let member = false;
    for (const [roomId, members] of this.roomMembers) {
      if (!members.has(uid)) continue;
      member = true;
      // Our own pick on the membership we know now (the debounced re-balance may not have run).
      if (selectRoomPeers(self, roomId, members, perRoom).has(uid)) return this.granted.size < total;
    }
    // A member we did not pick: a cap. Anyone else (a P2P contact's lazy link): while under the total.
    return !member && (this.manager?.stats().links ?? 0) < total;
  }

  private managerState(uid: string, state: Parameters<LinkManagerEvents['state']>[1]): void {
    // A peer we still want but no longer asked the LinkManager for is on the server by the cap.
    if (state === 'closed' && this.wants.has(uid)) this.report(uid, 'relay');
    else this.report(uid, PATH_OF[state]);
  }

  /** Why `uid` is on the server: our cap (not picked), its cap (declined), or a failed link. */
  private relayReason(uid: string): PathReason {
    if (!this.manager) return 'no-links';
    if (!this.granted.has(uid)) return 'cap';
    return this.manager.isDeclined?.(uid) ? 'declined' : 'failed';
  }

  private report(uid: string, state: PeerLinkState): void {
    const reason = state === 'relay' ? this.relayReason(uid) : undefined;
    const key = reason ? `${state}:${reason}` : state;
    if (this.reportedKey.get(uid) === key) return;
    this.reportedKey.set(uid, key);
    this.reported.set(uid, state);
    this.emit('path', uid, state, reason);
  }
}

function isThenable<T>(v: T | PromiseLike<T>): v is PromiseLike<T> {
  return typeof (v as Partial<PromiseLike<T>>).then === 'function';
}
