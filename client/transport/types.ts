// The seam between the messaging layer (streams, acks, path choice) and the two paths a frame
// can take to a peer: a direct WebRTC link (LinkPath: client/link-layer.ts over a LinkManager
// from client/peer/) or the signaling server's relay (RelayPath: client/transport/relay-path.ts).
import type { Frame } from '../../shared/frame.js';
import type { IceServer, Logger, WebRTCOption } from '../base-types.js';

/** What onPeerLinkStateChanged reports for a remote user. */
export type PeerLinkState = 'connecting' | 'p2p' | 'relay' | 'closed';

/**
 * Why a peer is on the server ('relay'), as the third argument of onPeerLinkStateChanged:
 *   cap       our own cap: the peer is not among the members we link to (maxPeerLinks / maxPeerLinksTotal)
 *   declined  the peer declined our link (it is at its cap, or takes no links at all)
 *   failed    the link failed or went silent; it is being restored in the background
 *   no-links  we have no link layer (relayOnly, or no WebRTC stack), or it is still loading
 */
export type PathReason = 'cap' | 'declined' | 'failed' | 'no-links';

/** Which data channel a frame goes on. Reliable frames always take 'reliable'. */
export type ChannelKind = 'reliable' | 'unreliable-ordered' | 'unreliable-unordered';

/** Why a LinkManager is asked for a link: rooms open links eagerly, P2P messages lazily. */
export type LinkReason = 'room' | 'p2p';

/** Why the messaging layer wants a link to a peer: 'p2p', or 'room:<roomId>' per shared room. */
export type WantReason = 'p2p' | `room:${string}`;

/** Minimal typed emitter both paths expose (see client/typed-emitter.ts). */
export interface Emits<E> {
  on<K extends keyof E>(event: K, fn: E[K]): unknown;
  off<K extends keyof E>(event: K, fn: E[K]): unknown;
}

export interface LinkManagerEvents {
  /** Decoded, schema-checked frames that arrived on the link with `uid` (the link's owner). */
  frames: (uid: string, frames: Frame[]) => void;
  /** A link came up ('p2p'), is being set up ('connecting'), went away ('relay'/'closed'). */
  state: (uid: string, state: 'connecting' | 'open' | 'down' | 'closed') => void;
  /** Signaling data to forward to `uid` through the server (rtc:signal). */
  signal: (uid: string, signal: Record<string, unknown>) => void;
}

/** What the link manager factory gets: everything a WebRTC link layer needs from the engine. */
export interface LinkManagerContext {
  /** The logged-in user's uid (links are between uids). */
  selfUid: string;
  /** parameters.webrtc as given (undefined = globalThis.RTCPeerConnection in browsers). */
  webrtc: WebRTCOption | undefined;
  /** The ICE servers in force; read it when a link is created (setRuntimeParameters can change it). */
  iceServers(): IceServer[];
  /**
   * parameters.iceAddresses in force (undefined = no restriction); read it when a link is created
   * (setRuntimeParameters can change it). Optional for factories built before it existed.
   */
  iceAddresses?(): string[] | undefined;
  /** parameters.linkTimeoutMs (liveness of open links). Optional for older factories. */
  linkTimeoutMs?(): number;
  logger: Logger;
}

/**
 * Builds the peer-link layer for one login session; the engine destroys it at logout. May be
 * async (e.g. to load a WebRTC implementation first): frames go by relay until it resolves.
 */
export type LinkManagerFactory = (ctx: LinkManagerContext) => LinkManager | Promise<LinkManager>;

/** One WebRTC link per remote user, shared by every room and by P2P messages. */
export interface LinkManager extends Emits<LinkManagerEvents> {
  /** True when frames to `uid` can go over a direct link right now. */
  isOpen(uid: string): boolean;
  /** Ask for a link to `uid` (idempotent). Opens it when missing; reconnects in the background. */
  want(uid: string, reason: LinkReason): void;
  /** Drop a reason; a link without reasons closes. */
  unwant(uid: string, reason: LinkReason): void;
  /** True when `uid` declined our link (its cap, or no link layer): we wait for it to ask. Optional. */
  isDeclined?(uid: string): boolean;
  /**
   * Queue frames on the link (coalesced per tick, chunked, with backpressure). Returns false, and
   * queues nothing, when the link is not open: the caller then uses the relay.
   */
  send(uid: string, frames: Frame[], channel?: ChannelKind): boolean;
  /** Signaling data that arrived from `uid` through the server. */
  handleSignal(uid: string, signal: Record<string, unknown>): void;
  /** Link statistics for onSysStats / benchmarks. */
  stats(): { links: number; open: number; bytesSent: number; bytesReceived: number };
  /** Closes every link. */
  destroy(): void;
}

export interface RelayPathEvents {
  frames: (uid: string, frames: Frame[]) => void;
}

/** The signaling server as a path: reliable and ordered while the socket is connected. */
export interface RelayPath extends Emits<RelayPathEvents> {
  /** True while logged in and connected. */
  isUp(): boolean;
  /** Frames for one user. Resolves with a UserMessageSendResult code from the server (0 = relayed). */
  sendTo(uid: string, frames: Frame[]): Promise<number>;
  /** Room-broadcast frames for every member but the sender and `except`. Resolves with a code (0 = relayed). */
  sendRoom(roomId: string, except: string[], frames: Frame[]): Promise<number>;
}

export interface LinkPathEvents {
  /** Decoded frames that arrived on the link with `uid`. */
  frames: (uid: string, frames: Frame[]) => void;
  /** Which path frames to `uid` take now (what onPeerLinkStateChanged reports); for 'relay', why. */
  path: (uid: string, state: PeerLinkState, reason?: PathReason) => void;
  /** The link layer was attached or removed: frames sent over the old links may be lost. */
  replaced: () => void;
}

/** Direct links as the messaging layer uses them: the one owner of which peers are wanted and why. */
export interface LinkPath extends Emits<LinkPathEvents> {
  isOpen(uid: string): boolean;
  /** Queues frames on the open link to `uid`; false (nothing queued) when there is none. */
  send(uid: string, frames: Frame[], channel?: ChannelKind): boolean;
  want(uid: string, reason: WantReason): void;
  unwant(uid: string, reason: WantReason): void;
  /** Drops every reason at once (logout). */
  unwantAll(): void;
}
