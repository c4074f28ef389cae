// One WebRTC link per remote user (SPEC §10), shared by rooms and P2P messages.
//
// Who starts a link is fixed by uid order: the lexicographically smaller uid creates the offer.
// When the larger uid wants a link it sends 'link-request' and the smaller one initiates. Both
// sides keep at most one link per uid; a new offer (a new link id) replaces the old link, and
// signals that name any other link id are ignored (link-signal.ts).
//
// States per uid, through the 'state' event:
//   connecting  an attempt is under way (relay carries traffic meanwhile)
//   open        frames can go direct
//   down        the link failed while still wanted; the messaging layer falls back to the relay
//               at once, and this manager reconnects in the background with backoff; an
//               attempt made while a local interface was down is made afresh as soon as an
//               address appears (address-watch.ts), not at its connect timeout
//   closed      nobody here wants the link any more and it is gone
// A side that does not want a link itself still accepts one the remote wants (it answers
// offers and honours requests) but never retries it: the side that wants it does.
// A remote without a link layer (relay-only) answers with 'decline': the uid then stays 'down'
// (relay) with no retries until the remote itself offers or asks for a link.
import type { Frame } from '../../shared/frame.js';
import { isValidId } from '../../shared/limits.js';
import type { ChannelKind, LinkManagerEvents, LinkReason } from '../transport/types.js';
import { TypedEmitter } from '../typed-emitter.js';
import { exponentialBackoff, type RetryPolicy } from '../retry-policy.js';
import type { LinkManagerOptions, PeerLinkManager, PeerLinkManagerStats } from './link-manager-types.js';
import { isOlderLid, LinkSignal, makeLid, newEpoch, type PeerSignal } from './link-signal.js';
import { PeerLink } from './peer-link.js';
import { AddressWatch } from './address-watch.js';
import { newTotals, retire, sumStats } from './link-manager-stats.js';
import { isPending, needsFreshAttempt, newEntry, type Entry, type UidState } from './link-entry.js';

export type { LinkManagerOptions, PeerLinkManager, PeerLinkManagerStats } from './link-manager-types.js';

/** How a wanted link that failed is retried, unless LinkManagerOptions.backoff says otherwise. */
export const LINK_RETRY: RetryPolicy = exponentialBackoff({ initialMs: 250, maxMs: 5_000, jitter: 0.3 });

export function createLinkManager(options: LinkManagerOptions): PeerLinkManager {
  return new PeerLinkManagerImpl(options);
}

class PeerLinkManagerImpl extends TypedEmitter<LinkManagerEvents> implements PeerLinkManager {
  private readonly localUid: string;
  private readonly opts: LinkManagerOptions;
  private readonly connectTimeoutMs: number;
  private readonly backoff: RetryPolicy;
  private readonly epoch = newEpoch();
  private linkCounter = 0;
  private readonly entries = new Map<string, Entry>();
  /** Last link id an offer arrived with, per remote uid (outlives entries; see link-request). */
  private readonly seenLids = new Map<string, string>();
  private destroyed = false;
  /** What links that are gone counted. */
  private readonly closedTotals = newTotals();
  private ignoredSignals = 0;
  /** Runs while some wanted link is not open (see address-watch.ts). */
  private readonly addresses = new AddressWatch((added) => this.onAddressesAppeared(added));

  constructor(options: LinkManagerOptions) {
    const logger = options.logger;
    super(logger ? (event, error) => logger.warn(`link manager listener for ${event} threw`, error) : undefined);
    this.localUid = options.localUid;
    this.opts = options;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.backoff = options.backoff ?? LINK_RETRY;
  }

  isOpen(uid: string): boolean {
    return this.entries.get(uid)?.link?.isOpen === true;
  }

  want(uid: string, reason: LinkReason): void {
    if (this.destroyed || uid === this.localUid || !isValidId(uid)) return;
    const entry = this.entry(uid);
    entry.reasons.add(reason);
    if (entry.link || entry.retryTimer || entry.connectTimer) return; // under way already
    if (entry.declined) {
      this.setState(entry, 'down');
      return;
    }
    this.connect(entry);
  }

  unwant(uid: string, reason: LinkReason): void {
    const entry = this.entries.get(uid);
    if (!entry || !entry.reasons.delete(reason) || entry.reasons.size > 0) return;
    if (entry.link) this.emit('signal', uid, { type: 'close', lid: entry.link.lid });
    this.finish(entry);
  }

  isDeclined(uid: string): boolean {
    return this.entries.get(uid)?.declined === true;
  }

  send(uid: string, frames: Frame[], channel: ChannelKind = 'reliable'): boolean {
    const link = this.entries.get(uid)?.link;
    return link ? link.send(frames, channel) : false;
  }

  handleSignal(uid: string, raw: Record<string, unknown>): void {
    if (this.destroyed || uid === this.localUid || !isValidId(uid)) return;
    const parsed = LinkSignal.safeParse(raw);
    if (!parsed.success) {
      this.ignore(uid, 'malformed signal');
      return;
    }
    const s = parsed.data;
    const entry = this.entries.get(uid);
    const link = entry?.link ?? null;
    switch (s.type) {
      case 'link-request':
        this.onLinkRequest(uid, s.ep, s.seen);
        return;
      case 'offer':
        this.onOffer(uid, s.lid, s.sdp);
        return;
      case 'answer':
      case 'candidate':
        if (!link || link.lid !== s.lid || (s.type === 'answer' && !link.initiator)) {
          this.ignore(uid, `stale ${s.type}`);
          return;
        }
        if (s.type === 'answer') link.remoteEpoch = s.ep;
        link.signal(s.type === 'answer' ? { type: 'answer', sdp: s.sdp } : { type: 'candidate', candidate: s.candidate });
        return;
      case 'close':
        if (entry && link && link.lid === s.lid) {
          link.destroy('closed by remote');
        } else {
          this.ignore(uid, 'stale close');
        }
        return;
      case 'decline':
        this.onDecline(uid, s.lid);
        return;
    }
  }

  stats(): PeerLinkManagerStats {
    return sumStats(this.closedTotals, [...this.entries.values()].flatMap((e) => (e.link ? [e.link] : [])), this.ignoredSignals);
  }

  queuedBytes(uid: string): number {
    return this.entries.get(uid)?.link?.queuedBytes ?? 0;
  }

  linkFor(uid: string): PeerLink | undefined {
    return this.entries.get(uid)?.link ?? undefined;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const entry of [...this.entries.values()]) this.finish(entry);
    this.addresses.stop();
    this.seenLids.clear();
    this.removeAllListeners();
  }

  // ---- attempts -------------------------------------------------------------------------

  private isInitiator(uid: string): boolean {
    return this.localUid < uid;
  }

  private connect(entry: Entry): void {
    if (this.destroyed) return;
    if (this.isInitiator(entry.uid)) {
      this.startLink(entry, makeLid(this.epoch, ++this.linkCounter), true);
      return;
    }
    this.requestLink(entry);
    this.setState(entry, 'connecting');
    this.armConnectTimer(entry, null);
  }

  /** Asks the initiator for a link; `seen` names the last offer we got, which it then replaces. */
  private requestLink(entry: Entry): void {
    const seen = this.seenLids.get(entry.uid);
    this.emit('signal', entry.uid, seen ? { type: 'link-request', ep: this.epoch, seen } : { type: 'link-request', ep: this.epoch });
  }

  /**
   * Local addresses appeared (address-watch.ts): attempts made without them cannot connect over
   * the interface that came back, so each is made afresh now (the backoff starts over). The
   * answering side asks the initiator, who replaces the link the request names.
   */
  private onAddressesAppeared(added: string[]): void {
    for (const entry of [...this.entries.values()]) {
      if (!needsFreshAttempt(entry, added)) continue;
      this.opts.logger?.debug?.(`local address${added.length ? ` ${added.join(', ')}` : ''} appeared: a fresh link attempt to ${entry.uid}`);
      entry.attempt = 0;
      if (entry.link && !this.isInitiator(entry.uid)) {
        this.requestLink(entry);
        continue;
      }
      this.clearTimers(entry);
      this.connect(entry);
    }
  }

  /** Replaces whatever link `entry` has with a new one. */
  private startLink(entry: Entry, lid: string, initiator: boolean): PeerLink {
    this.dropLink(entry);
    this.clearTimers(entry);
    const link = new PeerLink({
      uid: entry.uid,
      lid,
      initiator,
      webrtc: this.opts.webrtc,
      iceServers: this.opts.iceServers ?? [],
      linkTimeoutMs: this.opts.linkTimeoutMs,
      iceRestartTimeoutMs: this.opts.iceRestartTimeoutMs,
      reliableWriter: this.opts.reliableWriter,
      unreliableWriter: this.opts.unreliableWriter,
      maxReassembledBytes: this.opts.maxReassembledBytes,
      maxMalformedMessages: this.opts.maxMalformedMessages,
    });
    entry.link = link;
    link.on('signal', (signal: PeerSignal) => {
      if (entry.link === link) this.emit('signal', entry.uid, { ...signal, lid, ep: this.epoch });
    });
    link.on('open', () => {
      if (entry.link !== link) return;
      this.clearTimers(entry);
      entry.attempt = 0;
      this.setState(entry, 'open');
    });
    // A silent link is on the relay until it is heard again (peer-link.ts restarts ICE or gives up).
    link.on('stalled', () => {
      if (entry.link === link && entry.state === 'open') this.setState(entry, 'down');
    });
    link.on('alive', () => {
      if (entry.link === link && entry.state === 'down') this.setState(entry, 'open');
    });
    link.on('frames', (frames: Frame[]) => {
      if (entry.link === link) this.emit('frames', entry.uid, frames);
    });
    link.on('malformed', (error: string) => this.opts.logger?.debug?.(`malformed message from ${entry.uid} dropped (link ${lid}): ${error}`));
    link.on('close', (reason: string) => {
      retire(this.closedTotals, link);
      if (entry.link !== link) return;
      entry.link = null;
      this.opts.logger?.debug?.(`peer link ${lid} to ${entry.uid} closed: ${reason}`);
      this.attemptFailed(entry);
    });
    this.setState(entry, 'connecting');
    this.armConnectTimer(entry, link);
    return link;
  }

  private armConnectTimer(entry: Entry, link: PeerLink | null): void {
    if (entry.connectTimer) clearTimeout(entry.connectTimer);
    entry.connectTimer = setTimeout(() => {
      entry.connectTimer = null;
      this.opts.logger?.debug?.(`peer link attempt to ${entry.uid} timed out`);
      if (link) link.destroy('connect timeout'); // its 'close' handler continues below
      else this.attemptFailed(entry);
    }, this.connectTimeoutMs);
  }

  /** A link or request failed: retry while wanted, otherwise forget the uid. */
  private attemptFailed(entry: Entry): void {
    this.clearTimers(entry);
    if (this.destroyed || entry.reasons.size === 0) {
      this.finish(entry);
      return;
    }
    this.setState(entry, 'down');
    if (entry.attempt === 0) entry.failingSince = Date.now();
    const delay = this.backoff.nextRetryDelayInMs({ retryCount: entry.attempt++, elapsedMs: Date.now() - entry.failingSince });
    if (delay === null) return; // the policy gave up: relay until wanted anew
    entry.retryTimer = setTimeout(() => {
      entry.retryTimer = null;
      this.connect(entry);
    }, delay);
    this.watchAddresses();
  }

  private onLinkRequest(uid: string, remoteEpoch: string, seen: string | undefined): void {
    if (!this.isInitiator(uid)) {
      this.ignore(uid, 'link-request to the larger uid');
      return;
    }
    const entry = this.entry(uid);
    entry.declined = false;
    const link = entry.link;
    // The requester has not seen `link` yet: it is still on its way (connecting), or it opened
    // with this very requester instance after the request was sent. Replacing it would churn.
    if (link && link.lid !== seen && (!link.isOpen || link.remoteEpoch === remoteEpoch)) {
      this.ignore(uid, 'link-request for a link already under way');
      return;
    }
    this.startLink(entry, makeLid(this.epoch, ++this.linkCounter), true);
  }

  /** The remote has no link layer: stop this attempt and do not retry (see `declined`). */
  private onDecline(uid: string, lid: string | undefined): void {
    const entry = this.entries.get(uid);
    // A decline names the offer it refuses; without a lid it refuses our link-request, which only
    // makes sense while we wait for an offer (no link of ours under way).
    if (!entry || (lid === undefined ? entry.link !== null : entry.link?.lid !== lid)) {
      this.ignore(uid, 'stale decline');
      return;
    }
    this.opts.logger?.debug?.(`${uid} declined links (relay only)`);
    entry.declined = true;
    this.clearTimers(entry);
    this.dropLink(entry);
    entry.attempt = 0;
    if (entry.reasons.size === 0) this.finish(entry);
    else this.setState(entry, 'down');
  }

  private onOffer(uid: string, lid: string, sdp: string): void {
    if (this.isInitiator(uid)) {
      this.ignore(uid, 'offer from the larger uid');
      return;
    }
    const entry = this.entry(uid);
    entry.declined = false;
    const current = entry.link;
    if (current && current.lid === lid && current.isRestartOffer(sdp)) {
      current.signal({ type: 'offer', sdp }); // an ICE restart of this link
      return;
    }
    if (current && (current.lid === lid || isOlderLid(lid, current.lid))) {
      this.ignore(uid, 'stale offer');
      return;
    }
    this.rememberLid(uid, lid);
    this.startLink(entry, lid, false).signal({ type: 'offer', sdp });
  }

  // ---- bookkeeping ----------------------------------------------------------------------

  private entry(uid: string): Entry {
    let entry = this.entries.get(uid);
    if (!entry) {
      entry = newEntry(uid);
      this.entries.set(uid, entry);
    }
    return entry;
  }

  private setState(entry: Entry, state: UidState): void {
    if (entry.state === state) return;
    // An open link being replaced is down for the messaging layer before the new one connects.
    if (entry.state === 'open' && state === 'connecting') this.emit('state', entry.uid, 'down');
    entry.state = state;
    this.emit('state', entry.uid, state);
    this.watchAddresses();
  }

  private watchAddresses(): void {
    const pending = !this.destroyed && [...this.entries.values()].some(isPending);
    if (pending) this.addresses.start();
    else this.addresses.stop();
  }

  /** Closes the uid's link and timers, reports 'closed' if anything was reported, forgets it. */
  private finish(entry: Entry): void {
    this.clearTimers(entry);
    this.dropLink(entry);
    if (this.entries.get(entry.uid) === entry) this.entries.delete(entry.uid);
    if (entry.state !== null) {
      entry.state = null;
      this.emit('state', entry.uid, 'closed');
    }
    this.watchAddresses();
  }

  private dropLink(entry: Entry): void {
    const link = entry.link;
    if (!link) return;
    entry.link = null;
    link.destroy('replaced or closed locally');
  }

  private clearTimers(entry: Entry): void {
    if (entry.retryTimer) clearTimeout(entry.retryTimer);
    if (entry.connectTimer) clearTimeout(entry.connectTimer);
    entry.retryTimer = null;
    entry.connectTimer = null;
  }

  private rememberLid(uid: string, lid: string): void {
    this.seenLids.delete(uid);
    this.seenLids.set(uid, lid);
    if (this.seenLids.size > 10_000) this.seenLids.delete(this.seenLids.keys().next().value!);
  }

  private ignore(uid: string, why: string): void {
    this.ignoredSignals++;
    this.opts.logger?.debug?.(`signal from ${uid} ignored: ${why}`);
  }
}
