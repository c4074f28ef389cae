// Where RTCPeerConnection comes from. Browsers have it natively; Node needs a native module, and
// there are two usable ones (@roamhq/wrtc and node-datachannel's W3C polyfill). Both are loaded
// with dynamic imports whose specifiers live in variables, so a browser bundle (esbuild) never
// tries to resolve or inline a native module.
import type { NodeWebRTCName, WebRTCImplementation, WebRTCOption } from '../base-types.js';
import { adaptNodeDatachannel, type NodeDatachannelPolyfill } from './ndc-adapter.js';

/**
 * The stack a Node client uses when nothing is injected, chosen by the benchmark
 * (docs/BENCHMARKS.md): node-datachannel has the lower round trip through the SDK, meets the
 * LAN-mesh and 16-client mesh-formation targets, and costs one descriptor and no thread per
 * link (@roamhq/wrtc: 13 and 2, and a send() that blocks ~150 µs). @roamhq/wrtc stays one
 * `webrtc: 'wrtc'` away; it has the higher raw throughput.
 */
export const DEFAULT_NODE_WEBRTC: NodeWebRTCName = 'node-datachannel';

// Specifiers kept in variables: bundlers leave `import(variable)` alone at build time.
const WRTC_MODULE = '@roamhq/wrtc';
const NDC_POLYFILL_MODULE = 'node-datachannel/polyfill';

const cache = new Map<NodeWebRTCName, Promise<WebRTCImplementation>>();

/** Resolves a choice to a usable implementation. Rejects with a clear message when unavailable. */
export async function resolveWebRTC(choice?: WebRTCOption): Promise<WebRTCImplementation> {
  if (choice !== undefined && typeof choice === 'object') {
    if (typeof choice.RTCPeerConnection !== 'function') {
      throw new TypeError('webrtc implementation has no RTCPeerConnection constructor');
    }
    return choice;
  }
  if (choice === undefined) {
    const native = browserWebRTC();
    if (native) return native;
    return loadNamed(DEFAULT_NODE_WEBRTC);
  }
  if (choice === 'wrtc' || choice === 'node-datachannel') return loadNamed(choice);
  throw new TypeError(`unknown webrtc implementation '${String(choice)}' (expected 'wrtc', 'node-datachannel' or an object)`);
}

function browserWebRTC(): WebRTCImplementation | null {
  const g = globalThis as unknown as Partial<WebRTCImplementation>;
  if (typeof g.RTCPeerConnection !== 'function') return null;
  return {
    RTCPeerConnection: g.RTCPeerConnection,
    RTCSessionDescription: g.RTCSessionDescription,
    RTCIceCandidate: g.RTCIceCandidate,
  };
}

function loadNamed(name: NodeWebRTCName): Promise<WebRTCImplementation> {
  let pending = cache.get(name);
  if (!pending) {
    pending = name === 'wrtc' ? loadWrtc() : loadNodeDatachannel();
    // A failed load is not cached: the caller may install the module and try again.
    pending.catch(() => cache.delete(name));
    cache.set(name, pending);
  }
  return pending;
}

async function loadWrtc(): Promise<WebRTCImplementation> {
  const mod = (await importOptional(WRTC_MODULE)) as { default?: WebRTCImplementation } & Partial<WebRTCImplementation>;
  const impl = mod.default ?? mod;
  if (typeof impl.RTCPeerConnection !== 'function') throw new Error(`${WRTC_MODULE} has no RTCPeerConnection`);
  return impl as WebRTCImplementation;
}

async function loadNodeDatachannel(): Promise<WebRTCImplementation> {
  const mod = (await importOptional(NDC_POLYFILL_MODULE)) as NodeDatachannelPolyfill & { default?: NodeDatachannelPolyfill };
  const polyfill = typeof mod.RTCPeerConnection === 'function' ? mod : mod.default;
  if (!polyfill || typeof polyfill.RTCPeerConnection !== 'function') {
    throw new Error(`${NDC_POLYFILL_MODULE} has no RTCPeerConnection`);
  }
  return adaptNodeDatachannel(polyfill);
}

async function importOptional(specifier: string): Promise<unknown> {
  try {
    return await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);
  } catch (e) {
    throw new Error(`cannot load WebRTC module '${specifier}': ${(e as Error).message}`);
  }
}
