// The engine's direct links as one unit: which peers we want links to and why (the one record of
// it), the LinkManager's lifetime (attached per login session, none in relay-only mode or when no
// WebRTC stack could be loaded), the signaling it exchanges through the server — in directly from
// the connection, out through `sendSignal` — and the path each wanted peer is on.
//
// Without a LinkManager the peers we want are on the relay, and offers or link requests from
// peers are declined, so they stop trying instead of retrying a link that can never open.
import type { Frame } from '../shared/frame.js';
import type { Logger } from './base-types.js';
import { declineFor } from './peer/link-signal.js';
import type {
  ChannelKind, LinkManager, LinkManagerContext, LinkManagerEvents, LinkManagerFactory, LinkPath, LinkPathEvents, LinkReason, PeerLinkState, WantReason,
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
}

type Signal = { from: string; signal: Record<string, unknown> };

/** Signals kept while an async factory loads; a flood beyond this is dropped (peers retry). */
const MAX_SIGNALS_WHILE_LOADING = 500;

const PATH_OF: Record<Parameters<LinkManagerEvents['state']>[1], PeerLinkState> = {
  connecting: 'connecting', open: 'p2p', down: 'relay', closed: 'closed',
};

const kindOf = (reason: WantReason): LinkReason => (reason === 'p2p' ? 'p2p' : 'room');

export class LinkLayer extends TypedEmitter<LinkPathEvents> implements LinkPath {
  private manager: LinkManager | null = null;
  private readonly wants = new Map<string, Set<WantReason>>();
  private readonly reported = new Map<string, PeerLinkState>();
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
  private readonly onState: LinkManagerEvents['state'] = (uid, state) => this.report(uid, PATH_OF[state]);

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
    if (this.manager) this.manager.handleSignal(from, signal);
    else if (this.early) {
      if (this.early.length < MAX_SIGNALS_WHILE_LOADING) this.early.push({ from, signal });
    } else this.decline({ from, signal });
  }

  destroy(): void {
    this.detach();
    this.wants.clear();
    this.reported.clear();
    this.removeAllListeners();
  }

  // ---- the path ------------------------------------------------------------------------------

  isOpen(uid: string): boolean {
    return this.manager?.isOpen(uid) ?? false;
  }

  send(uid: string, frames: Frame[], channel?: ChannelKind): boolean {
    return this.manager?.isOpen(uid) === true && this.manager.send(uid, frames, channel);
  }

  want(uid: string, reason: WantReason): void {
    let reasons = this.wants.get(uid);
    if (!reasons) this.wants.set(uid, (reasons = new Set()));
    if (reasons.has(reason)) return;
    const kindIsNew = !this.hasKind(reasons, kindOf(reason));
    reasons.add(reason);
    if (!this.manager) this.report(uid, 'relay');
    else if (kindIsNew) this.manager.want(uid, kindOf(reason));
  }

  unwant(uid: string, reason: WantReason): void {
    const reasons = this.wants.get(uid);
    if (!reasons?.delete(reason)) return;
    if (reasons.size === 0) this.wants.delete(uid);
    if (this.manager) {
      if (!this.hasKind(reasons, kindOf(reason))) this.manager.unwant(uid, kindOf(reason));
    } else if (reasons.size === 0) {
      this.report(uid, 'closed');
    }
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
      for (const [uid, reasons] of this.wants) {
        for (const kind of ['room', 'p2p'] as const) if (this.hasKind(reasons, kind)) manager.want(uid, kind);
      }
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

  private report(uid: string, state: PeerLinkState): void {
    if (this.reported.get(uid) === state) return;
    this.reported.set(uid, state);
    this.emit('path', uid, state);
  }
}

function isThenable<T>(v: T | PromiseLike<T>): v is PromiseLike<T> {
  return typeof (v as Partial<PromiseLike<T>>).then === 'function';
}
