// The public face of the link manager: its options (with defaults) and its diagnostics.
import type { Logger, WebRTCImplementation } from '../base-types.js';
import type { RetryPolicy } from '../retry-policy.js';
import type { LinkManager } from '../transport/types.js';
import type { ChannelWriterOptions } from './channel-writer.js';
import type { PeerLink } from './peer-link.js';

export interface LinkManagerOptions {
  /** This client's uid; decides which side of each pair initiates. */
  localUid: string;
  /** A resolved implementation (see resolveWebRTC in webrtc-impl.ts). */
  webrtc: WebRTCImplementation;
  /** STUN/TURN servers; a function is read for every connection and ICE restart. Default [] (LAN and offline use). */
  iceServers?: RTCIceServer[] | (() => RTCIceServer[]);
  /** An open link silent for longer than this is reported 'down' (relay) until heard again. Default 2000 ms. */
  linkTimeoutMs?: number;
  /** A stall that lasts this long (ICE restart included) ends the link, which is then rebuilt. Default 4 × linkTimeoutMs. */
  iceRestartTimeoutMs?: number;
  /** An attempt not open within this is torn down and retried. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Delay before each reconnect attempt (null: stay on the relay). Default LINK_RETRY: 250 ms doubling to 5 s, ±30 % jitter. */
  backoff?: RetryPolicy;
  logger?: Logger;
  /** Flow-control tuning of the reliable channel (see channel-writer.ts). */
  reliableWriter?: ChannelWriterOptions;
  /** Flow-control tuning of the two unreliable channels. */
  unreliableWriter?: ChannelWriterOptions;
  /** Largest reassembled wire message accepted from a peer. Default 1 MiB. */
  maxReassembledBytes?: number;
  /** Malformed messages tolerated on one link before it is closed. Default 32. */
  maxMalformedMessages?: number;
}

export interface PeerLinkManagerStats {
  links: number;
  open: number;
  bytesSent: number;
  bytesReceived: number;
  /** Estimated bytes waiting in JS send queues (not yet handed to a data channel). */
  queuedBytes: number;
  /** Inbound messages dropped as malformed or oversized. */
  malformedMessages: number;
  /** Inbound signals dropped as malformed or stale. */
  ignoredSignals: number;
  /** Unreliable frames dropped because their queue was full. */
  unreliableFramesDropped: number;
}

/** LinkManager plus diagnostics. */
export interface PeerLinkManager extends LinkManager {
  stats(): PeerLinkManagerStats;
  /** Estimated bytes waiting to go to `uid`. */
  queuedBytes(uid: string): number;
  /** Diagnostics and tests: the current link to `uid`. */
  linkFor(uid: string): PeerLink | undefined;
}
