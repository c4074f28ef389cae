// Where the WebRTC link layer plugs into the engine. RTSParameters.linkManagerFactory overrides
// this default; `null` there (or relayOnly) means no peer links at all.
import { restrictIceAddresses } from './peer/address-filter.js';
import { createLinkManager } from './peer/link-manager.js';
import { resolveWebRTC, type ModuleImporter } from './peer/webrtc-impl.js';
import type { LinkManagerFactory } from './transport/types.js';

/**
 * The built-in link layer (client/peer/): simple-peer over the resolved WebRTC implementation,
 * kept to parameters.iceAddresses when set (read for every new connection, so a runtime change
 * applies to links created afterwards). A Node stack is loaded here, at the first login, not
 * when the SDK is imported; `importModule` replaces how (tests: a package that is missing).
 */
export function builtInLinkManagerFactory(opts: { importModule?: ModuleImporter } = {}): LinkManagerFactory {
  return async (ctx) => {
    const resolved = await resolveWebRTC(ctx.webrtc, opts.importModule);
    return createLinkManager({
      localUid: ctx.selfUid,
      // A pass-through while no list is set; wrapped anyway so that a list set later applies.
      webrtc: ctx.iceAddresses ? restrictIceAddresses(resolved, () => ctx.iceAddresses?.()) : resolved,
      // Read for every new connection and ICE restart: TURN credentials are refreshed at runtime.
      iceServers: () => ctx.iceServers() as RTCIceServer[],
      linkTimeoutMs: ctx.linkTimeoutMs?.(),
      logger: ctx.logger,
    });
  };
}

export const defaultLinkManagerFactory: LinkManagerFactory = builtInLinkManagerFactory();
