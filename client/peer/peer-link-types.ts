// The options and events of one peer link (peer-link.ts).
import type { Frame } from '../../shared/frame.js';
import type { WebRTCImplementation } from '../base-types.js';
import type { ChannelKind } from '../transport/types.js';
import type { ChannelWriterOptions } from './channel-writer.js';
import type { PeerSignal } from './link-signal.js';

export interface PeerLinkOptions {
  uid: string;
  lid: string;
  initiator: boolean;
  webrtc: WebRTCImplementation;
  /**
   * Default [] (LAN/offline use, SPEC §10). A function is read when the connection is made and
   * again before each ICE restart (fresh TURN credentials).
   */
  iceServers?: RTCIceServer[] | (() => RTCIceServer[]);
  /** An open link that hears nothing for longer than this is stalled (relay). Default 2000 ms. */
  linkTimeoutMs?: number;
  /** A stall not over this long after it began ends the link (it is rebuilt). Default 4 × linkTimeoutMs. */
  iceRestartTimeoutMs?: number;
  reliableWriter?: ChannelWriterOptions;
  unreliableWriter?: ChannelWriterOptions;
  /** Largest reassembled wire message accepted. Default 1 MiB. */
  maxReassembledBytes?: number;
  /** Malformed messages tolerated before the link is closed. Default 32. */
  maxMalformedMessages?: number;
}

export interface PeerLinkEvents {
  /** Signaling data for the remote side (offer/answer/candidate). */
  signal: (signal: PeerSignal) => void;
  /** The reliable channel is open: frames can be sent. */
  open: () => void;
  /** Decoded, schema-checked frames from the remote user, and the channel they came on. */
  frames: (frames: Frame[], kind: ChannelKind) => void;
  /** A message was dropped as malformed. */
  malformed: (error: string) => void;
  /** Silent past linkTimeoutMs: not open until 'alive' (frames must take the relay). */
  stalled: () => void;
  /** Heard again after 'stalled': open again, on the same connection. */
  alive: () => void;
  /** The link is gone (emitted once, also after destroy()). */
  close: (reason: string) => void;
}

export const DEFAULT_LINK_TIMEOUT_MS = 2000;
/** A stall lasting this many linkTimeoutMs ends the link (8 s with the default timeout). */
export const ICE_RESTART_TIMEOUTS = 4;
