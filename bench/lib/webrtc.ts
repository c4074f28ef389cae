// The two Node WebRTC stacks the SDK supports, loaded the way the raw baselines use them:
// @roamhq/wrtc's default export, node-datachannel's W3C polyfill through the SDK's own adapter
// (plain {type, sdp} from createOffer/createAnswer, which simple-peer needs).
//
// Loopback only. Left alone, both stacks gather host candidates on every interface and pick a
// non-loopback address of this machine (e.g. eth0's) for the link. The benchmark keeps every
// packet on 127.0.0.1, for raw peers and SDK engines alike (the SDK gets the same wrapped
// implementation injected, so both sides of every comparison run on identical stacks):
//   - node-datachannel: `bindAddress: '127.0.0.1'` (libjuice then offers only that address);
//   - wrtc: local candidates other than 127.0.0.1 are never announced, remote ones never applied.
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
    p = (name === 'wrtc' ? loadWrtc() : loadNdc()).then((impl) => loopbackOnly(impl, name));
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

/** Address field of an ICE candidate line ("candidate:… 1 udp prio ADDRESS port typ …"). */
export function candidateAddress(line: string): string | undefined {
  return line.replace(/^a=/, '').split(' ')[4];
}

const isLoopbackCandidate = (line: string | undefined | null): boolean => !line || candidateAddress(line) === LOOPBACK;

function stripSdp(sdp: string | undefined): string | undefined {
  if (!sdp) return sdp;
  return sdp
    .split('\r\n')
    .filter((l) => !l.startsWith('a=candidate:') || isLoopbackCandidate(l))
    .join('\r\n');
}

function loopbackOnly(impl: WrtcLike, name: StackName): WrtcLike {
  const Base = impl.RTCPeerConnection as unknown as new (config?: RTCConfiguration) => RTCPeerConnection & {
    dispatchEvent(e: { type: string; candidate?: { candidate?: string } | null }): boolean;
  };
  class LoopbackRTCPeerConnection extends Base {
    constructor(config?: RTCConfiguration) {
      super(name === 'node-datachannel' ? ({ ...config, bindAddress: LOOPBACK } as RTCConfiguration) : config);
    }
    // Both stacks raise 'icecandidate' through dispatchEvent (which also feeds onicecandidate).
    override dispatchEvent(e: { type: string; candidate?: { candidate?: string } | null }): boolean {
      if (e.type === 'icecandidate' && !isLoopbackCandidate(e.candidate?.candidate)) return true;
      return super.dispatchEvent(e);
    }
    override addIceCandidate(c?: RTCIceCandidateInit | null): Promise<void> {
      if (c && !isLoopbackCandidate(c.candidate)) return Promise.resolve();
      return super.addIceCandidate(c ?? undefined);
    }
    override setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
      return super.setRemoteDescription({ type: d.type, sdp: stripSdp(d.sdp) });
    }
  }
  return { ...impl, RTCPeerConnection: LoopbackRTCPeerConnection as unknown as WrtcLike['RTCPeerConnection'] };
}
