// What a link does while it is stalled (liveness.ts): the initiator restarts ICE on the same
// connection, where the stack can — browsers and @roamhq/wrtc: restartIce() and a new offer
// through signaling, with the ICE servers in force now (fresh TURN credentials). node-datachannel
// cannot (restartIce throws "Not implemented", createOffer replays the first SDP with the old
// ufrag): there the link only waits, since SCTP gets through by itself once the path is back.
// Either way a stall still on after `timeoutMs` (4 × linkTimeoutMs by default) gives the link up, and the link manager builds
// a fresh connection (with backoff): no endless restarts, e.g. with TURN credentials that fail.
import { isNodeDatachannel } from './ndc-adapter.js';
import type { WebRTCImplementation } from '../base-types.js';

export interface IceRestartHost {
  initiator: boolean;
  webrtc: WebRTCImplementation;
  /** The connection, once made. */
  pc(): RTCPeerConnection | undefined;
  iceServers(): RTCIceServer[];
  /** Starts a renegotiation (simple-peer's negotiate(): a new offer from the initiator). */
  negotiate(): void;
  /** The stall outlasted the bound: end the link. */
  giveUp(reason: string): void;
}

export class IceRestart {
  /** ICE restarts made on this link. */
  count = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly host: IceRestartHost,
    private readonly timeoutMs: number,
  ) {}

  /** The link went silent. */
  stalled(): void {
    this.stop();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.host.giveUp('silent: an ICE restart did not bring the link back');
    }, this.timeoutMs);
    if (this.host.initiator) this.restart();
  }

  /** Heard again, or closed. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Whether `sdp`, an offer naming the current link, is an ICE restart of it (a new ICE ufrag)
   * rather than a repeat of the first offer or garbage. Never on node-datachannel (see above).
   */
  isRestartOffer(sdp: string): boolean {
    if (this.host.initiator || isNodeDatachannel(this.host.webrtc)) return false;
    const ufrag = iceUfrag(sdp);
    return ufrag !== null && ufrag !== iceUfrag(this.host.pc()?.remoteDescription?.sdp ?? '');
  }

  private restart(): void {
    const pc = this.host.pc();
    if (!pc || isNodeDatachannel(this.host.webrtc) || typeof pc.restartIce !== 'function') return;
    try {
      if (typeof pc.setConfiguration === 'function' && typeof pc.getConfiguration === 'function') {
        pc.setConfiguration({ ...pc.getConfiguration(), iceServers: this.host.iceServers() });
      }
      pc.restartIce();
      this.count++;
      this.host.negotiate();
    } catch {
      // This stack cannot restart after all: the bound rebuilds the link instead.
    }
  }
}

function iceUfrag(sdp: string): string | null {
  return /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1] ?? null;
}
