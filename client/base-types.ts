// Types the SDK's parts share below the public API (client/types.ts re-exports them): how it
// logs, which WebRTC it runs on, and what onSysStats carries.
import type { ConnectionState } from '../shared/codes.js';

/** Where messages go and how the engine logs. Every method is optional except warn/error. */
export interface Logger {
  debug?(message: string, ...details: unknown[]): void;
  info?(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

/** An ICE server entry (same shape as the W3C RTCIceServer). */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** A W3C-compatible WebRTC implementation (what simple-peer's `wrtc` option takes). */
export interface WebRTCImplementation {
  RTCPeerConnection: new (config?: RTCConfiguration) => RTCPeerConnection;
  RTCSessionDescription?: new (init: RTCSessionDescriptionInit) => RTCSessionDescription;
  RTCIceCandidate?: new (init: RTCIceCandidateInit) => RTCIceCandidate;
}

/** The Node WebRTC stacks the SDK knows how to load by name. */
export type NodeWebRTCName = 'wrtc' | 'node-datachannel';

/** An injected implementation, or the name of an installed Node package providing one. */
export type WebRTCOption = WebRTCImplementation | NodeWebRTCName;

/** One room's paths in onSysStats.roomStats. */
export interface RoomLinkStats {
  roomId: string;
  members: number;
  directLinks: number;
  viaServer: number;
  resends: number;
}

/** onSysStats, every sysStatsIntervalMs while logged in. Counters are totals since login. */
export interface SysStats {
  /** Round trip of the latest request to the signaling server, in ms. */
  rttMs?: number;
  connectionState: ConnectionState;
  /** Rooms joined (or being joined). */
  rooms: number;
  /** Distinct remote users we share a room with or exchanged P2P messages with. */
  peers: number;
  /** Peer links open right now. */
  p2pLinks: number;
  sentMessages: number;
  receivedMessages: number;
  /** Frames (first transmissions and retransmissions) sent through the server relay. */
  relayedSent: number;
  /** Frames sent over direct peer links. */
  p2pSent: number;
  /** Reliable messages still waiting for their end-to-end acknowledgement. */
  pendingReliable: number;
  /** Frames sent again (resend timer, path switch, replay to a member that missed them). */
  resends: number;
  /** Per joined room: its other members, how many of them have a direct link, how many are reached through the server, frames sent again. */
  roomStats?: RoomLinkStats[];
  /** Payload bytes of messages sent / received (text as UTF-8). */
  bytesSent: number;
  bytesReceived: number;
}
