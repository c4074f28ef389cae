// The implementation simple-peer is given for one link (peer-link.ts): a subclass of the real
// RTCPeerConnection that reports the connection simple-peer makes, and simple-peer's own
// reliable channel, so the link never reads simple-peer's private fields.
import type { WebRTCImplementation } from '../base-types.js';

/** Prefix of the labels of the channels peer-link.ts opens itself (simple-peer's has its own). */
export const OWN_LABEL = 'rtsmesh-';

export interface Seen {
  pc?: RTCPeerConnection;
  reliable?: RTCDataChannel;
}

/**
 * The implementation simple-peer is given for one link: its RTCPeerConnection hands this link
 * the connection it makes and simple-peer's reliable channel (created on it by the initiator,
 * announced by a 'datachannel' event on the answerer), so nothing reads simple-peer's fields.
 */
export function watched(webrtc: WebRTCImplementation, seen: Seen): WebRTCImplementation {
  class WatchedRTCPeerConnection extends webrtc.RTCPeerConnection {
    constructor(config?: RTCConfiguration) {
      super(config);
      seen.pc = this;
      this.addEventListener('datachannel', (e) => {
        seen.reliable ??= e.channel;
      });
    }

    override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
      const channel = super.createDataChannel(label, init);
      if (!label.startsWith(OWN_LABEL)) seen.reliable ??= channel;
      return channel;
    }
  }
  return { RTCPeerConnection: WatchedRTCPeerConnection, RTCSessionDescription: webrtc.RTCSessionDescription, RTCIceCandidate: webrtc.RTCIceCandidate };
}
