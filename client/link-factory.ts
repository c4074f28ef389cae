// Where the WebRTC link layer plugs into the engine. RTSParameters.linkManagerFactory overrides
// this default; `null` there (or relayOnly) means no peer links at all.
import { createLinkManager } from './peer/link-manager.js';
import { resolveWebRTC, type WebRTCChoice } from './peer/webrtc-impl.js';
import type { LinkManagerFactory } from './types.js';

/** The built-in link layer (client/peer/): simple-peer over the resolved WebRTC implementation. */
export const defaultLinkManagerFactory: LinkManagerFactory | null = async (ctx) =>
  createLinkManager({
    localUid: ctx.selfUid,
    webrtc: await resolveWebRTC(ctx.webrtc as WebRTCChoice),
    iceServers: ctx.iceServers() as RTCIceServer[],
    logger: {
      debug: (o, m) => ctx.logger.debug?.(m ?? '', o),
      warn: (o, m) => ctx.logger.warn(m ?? '', o),
    },
  });
