// Chooses the path for frames to one user — the direct link when it is open, else the server
// relay — and owns the link manager's wiring: which peers we want links to and why, the link
// states reported to the API, signaling in and out, and frames arriving on either path.
import type { Frame } from '../../shared/frame.js';
import type {
  ChannelKind, LinkManager, LinkManagerEvents, PeerLinkState, RelayPath, RelayPathEvents,
} from '../transport/types.js';
import type { Logger } from '../types.js';

export type LinkState = Parameters<LinkManagerEvents['state']>[1];

export interface PathRouterOptions {
  relay: RelayPath;
  logger: Logger;
  /** Frames from `uid`, from either path (the sender is the path's authenticated user). */
  onFrames(uid: string, frames: Frame[]): void;
  /** Raw link state changes, so the messenger can move pending frames between paths. */
  onLinkState(uid: string, state: LinkState): void;
  /** Signaling data for `uid` to send through the server. */
  onSignal(uid: string, signal: Record<string, unknown>): void;
  /** What onPeerLinkStateChanged reports. */
  onPeerState(uid: string, state: PeerLinkState): void;
}

/** Why we want a peer: 'p2p', or 'room:<roomId>' per shared room (the link manager only knows 'room'). */
export type WantReason = string;

const LINK_TO_PEER: Record<LinkState, PeerLinkState> = {
  connecting: 'connecting', open: 'p2p', down: 'relay', closed: 'closed',
};

export class PathRouter {
  private links: LinkManager | null = null;
  private readonly wants = new Map<string, Set<WantReason>>();
  private readonly reported = new Map<string, PeerLinkState>();
  counters = { relayedSent: 0, p2pSent: 0 };

  private readonly onRelayFrames: RelayPathEvents['frames'] = (uid, frames) => this.opts.onFrames(uid, frames);
  private readonly onLinkFrames: LinkManagerEvents['frames'] = (uid, frames) => this.opts.onFrames(uid, frames);
  private readonly onLinkSignal: LinkManagerEvents['signal'] = (uid, signal) => this.opts.onSignal(uid, signal);
  private readonly onLinkStateEvent: LinkManagerEvents['state'] = (uid, state) => {
    this.report(uid, LINK_TO_PEER[state]);
    this.opts.onLinkState(uid, state);
  };

  constructor(private readonly opts: PathRouterOptions) {
    opts.relay.on('frames', this.onRelayFrames);
  }

  get linkManager(): LinkManager | null {
    return this.links;
  }

  /** Swaps the link layer (null = relay only). The caller moves frames that were on old links. */
  setLinkManager(links: LinkManager | null): void {
    if (this.links === links) return;
    const old = this.links;
    if (old) {
      old.off('frames', this.onLinkFrames);
      old.off('state', this.onLinkStateEvent);
      old.off('signal', this.onLinkSignal);
    }
    this.links = links;
    if (links) {
      links.on('frames', this.onLinkFrames);
      links.on('state', this.onLinkStateEvent);
      links.on('signal', this.onLinkSignal);
      for (const [uid, reasons] of this.wants) for (const kind of linkKinds(reasons)) links.want(uid, kind);
    } else {
      for (const uid of this.wants.keys()) this.report(uid, 'relay');
    }
  }

  linkOpen(uid: string): boolean {
    return this.links?.isOpen(uid) ?? false;
  }

  /** Sends over the link; false (nothing sent) when it is not open. */
  sendLink(uid: string, frames: Frame[], channel?: ChannelKind): boolean {
    if (!this.links?.isOpen(uid)) return false;
    if (!this.links.send(uid, frames, channel)) return false;
    this.counters.p2pSent += frames.length;
    return true;
  }

  sendRelay(uid: string, frames: Frame[]): Promise<number> {
    this.counters.relayedSent += frames.length;
    return this.opts.relay.sendTo(uid, frames);
  }

  sendRelayRoom(roomId: string, except: string[], frames: Frame[]): Promise<number> {
    this.counters.relayedSent += frames.length;
    return this.opts.relay.sendRoom(roomId, except, frames);
  }

  /** Fire-and-forget frames (acks): link if open, else relay. */
  sendAny(uid: string, frames: Frame[]): void {
    if (this.sendLink(uid, frames)) return;
    this.sendRelay(uid, frames).catch((e: unknown) => this.opts.logger.warn('relay send failed', e));
  }

  want(uid: string, reason: WantReason): void {
    let reasons = this.wants.get(uid);
    if (!reasons) this.wants.set(uid, (reasons = new Set()));
    if (reasons.has(reason)) return;
    const kindsBefore = linkKinds(reasons);
    reasons.add(reason);
    if (!this.links) {
      this.report(uid, 'relay');
      return;
    }
    for (const kind of linkKinds(reasons)) if (!kindsBefore.includes(kind)) this.links.want(uid, kind);
  }

  unwant(uid: string, reason: WantReason): void {
    const reasons = this.wants.get(uid);
    if (!reasons?.delete(reason)) return;
    const kindsAfter = linkKinds(reasons);
    if (reasons.size === 0) this.wants.delete(uid);
    if (this.links) {
      const kind = reason === 'p2p' ? 'p2p' : 'room';
      if (!kindsAfter.includes(kind)) this.links.unwant(uid, kind);
    } else if (reasons.size === 0) {
      this.report(uid, 'closed');
    }
  }

  /** Drops every reason at once (logout). */
  unwantAll(): void {
    for (const [uid, reasons] of [...this.wants]) for (const reason of [...reasons]) this.unwant(uid, reason);
  }

  handleSignal(from: string, signal: Record<string, unknown>): void {
    if (this.links) this.links.handleSignal(from, signal);
    else this.opts.logger.debug?.(`rtc signal from ${from} ignored: no link manager (relay only)`);
  }

  get wantedPeers(): number {
    return this.wants.size;
  }

  openLinks(): number {
    return this.links?.stats().open ?? 0;
  }

  destroy(): void {
    this.opts.relay.off('frames', this.onRelayFrames);
    this.setLinkManager(null);
    this.wants.clear();
    this.reported.clear();
  }

  private report(uid: string, state: PeerLinkState): void {
    if (this.reported.get(uid) === state) return;
    this.reported.set(uid, state);
    this.opts.onPeerState(uid, state);
  }
}

function linkKinds(reasons: Set<WantReason>): Array<'room' | 'p2p'> {
  const kinds: Array<'room' | 'p2p'> = [];
  for (const r of reasons) {
    const kind = r === 'p2p' ? 'p2p' : 'room';
    if (!kinds.includes(kind)) kinds.push(kind);
  }
  return kinds;
}
