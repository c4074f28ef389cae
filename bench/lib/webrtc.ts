// The two Node WebRTC stacks the SDK supports, loaded the way the raw baselines use them:
// @roamhq/wrtc's default export, node-datachannel's W3C polyfill through the SDK's own adapter
// (plain {type, sdp} from createOffer/createAnswer, which simple-peer needs).
//
// Loopback only. Left alone, both stacks gather host candidates on every interface and pick a
// non-loopback address of this machine (e.g. eth0's) for the link. The benchmark keeps every
// packet on 127.0.0.1, for raw peers and SDK engines alike (the SDK gets the same wrapped
// implementation injected, so both sides of every comparison run on identical stacks). That is
// the SDK's restrictIceAddresses (client/peer/address-filter.ts) with ['127.0.0.1']:
//   - node-datachannel: `bindAddress: '127.0.0.1'` (libjuice then offers only that address);
//   - wrtc: local candidates other than 127.0.0.1 are never announced, remote ones never applied.
import { restrictIceAddresses } from '../../client/peer/address-filter.js';
import type { WebRTCImplementation } from '../../client/base-types.js';
import { adaptNodeDatachannel, type NodeDatachannelPolyfill } from '../../client/peer/ndc-adapter.js';

export type StackName = 'wrtc' | 'node-datachannel';
export const STACKS: readonly StackName[] = ['wrtc', 'node-datachannel'];

/** What simple-peer's `wrtc` option and the SDK's `webrtc` parameter take. */
export interface WrtcLike {
  RTCPeerConnection: new (config?: RTCConfiguration) => RTCPeerConnection;
  RTCSessionDescription?: unknown;
  RTCIceCandidate?: unknown;
}

const cache = new Map<StackName, Promise<WrtcLike>>();

export function loadStack(name: StackName): Promise<WrtcLike> {
  let p = cache.get(name);
  if (!p) {
    p = (name === 'wrtc' ? loadWrtc() : loadNdc()).then(loopbackOnly);
    cache.set(name, p);
  }
  return p;
}

async function loadWrtc(): Promise<WrtcLike> {
  const mod = (await import('@roamhq/wrtc')) as unknown as { default?: WrtcLike } & WrtcLike;
  return mod.default ?? mod;
}

async function loadNdc(): Promise<WrtcLike> {
  const mod = (await import('node-datachannel/polyfill')) as unknown as NodeDatachannelPolyfill & { default?: NodeDatachannelPolyfill };
  const polyfill = typeof mod.RTCPeerConnection === 'function' ? mod : mod.default!;
  return adaptNodeDatachannel(polyfill) as unknown as WrtcLike;
}

const LOOPBACK = '127.0.0.1';

/** The SDK's own address filter (RTSParameters.iceAddresses), kept to 127.0.0.1. */
function loopbackOnly(impl: WrtcLike): WrtcLike {
  return restrictIceAddresses(impl as WebRTCImplementation, [LOOPBACK]) as unknown as WrtcLike;
}
