// Where RTCPeerConnection comes from. Browsers have it natively; Node needs a native module, and
// there are two usable ones (@roamhq/wrtc and node-datachannel's W3C polyfill). Both are loaded
// with dynamic imports whose specifiers live in variables, so a browser bundle (esbuild) never
// tries to resolve or inline a native module. Both packages are optional: they are loaded when
// the first link layer is made (at login), and a missing one is a WebRTCUnavailableError that
// names the package to install — the engine then stays on the relay.
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
const MODULES: Record<NodeWebRTCName, { pkg: string; specifier: string }> = {
  wrtc: { pkg: '@roamhq/wrtc', specifier: '@roamhq/wrtc' },
  'node-datachannel': { pkg: 'node-datachannel', specifier: 'node-datachannel/polyfill' },
};

/** Loads a module by name. A seam: tests hand resolveWebRTC one that fails like a missing package. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

const importModule: ModuleImporter = (specifier) => import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);

/** The chosen Node WebRTC stack is not installed (or its native part does not load). */
export class WebRTCUnavailableError extends Error {
  override readonly name = 'WebRTCUnavailableError';

  constructor(
    /** The stack that was asked for. */
    readonly option: NodeWebRTCName,
    /** The npm package that provides it. */
    readonly packageName: string,
    /** True when the package is not installed at all (rather than failing to load). */
    readonly missing: boolean,
    cause: unknown,
  ) {
    super(
      missing
        ? `rtsmesh: the Node WebRTC stack '${option}' is not installed: npm install ${packageName}`
        : `rtsmesh: the Node WebRTC stack '${option}' (${packageName}) could not be loaded: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
  }
}

const cache = new Map<NodeWebRTCName, Promise<WebRTCImplementation>>();

/**
 * Resolves a choice to a usable implementation: an injected one as is, a Node stack by name
 * (loaded once per process), the browser's own, or the default Node stack. Rejects with a
 * WebRTCUnavailableError when the stack's package is missing.
 */
export async function resolveWebRTC(choice?: WebRTCOption, importer: ModuleImporter = importModule): Promise<WebRTCImplementation> {
  if (choice !== undefined && typeof choice === 'object') {
    if (typeof choice.RTCPeerConnection !== 'function') {
      throw new TypeError('webrtc implementation has no RTCPeerConnection constructor');
    }
    return choice;
  }
  if (choice === undefined) {
    const native = browserWebRTC();
    if (native) return native;
    // A browser (or other non-Node runtime) without WebRTC: no Node package can help there.
    if (!(globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node) {
      throw new Error('rtsmesh: this runtime has no RTCPeerConnection; pass an implementation as `webrtc` or use relayOnly');
    }
    return loadNamed(DEFAULT_NODE_WEBRTC, importer);
  }
  if (choice === 'wrtc' || choice === 'node-datachannel') return loadNamed(choice, importer);
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

function loadNamed(name: NodeWebRTCName, importer: ModuleImporter): Promise<WebRTCImplementation> {
  if (importer !== importModule) return load(name, importer);
  let pending = cache.get(name);
  if (!pending) {
    pending = load(name, importer);
    // A failed load is not cached: the app may install the package and log in again.
    pending.catch(() => cache.delete(name));
    cache.set(name, pending);
  }
  return pending;
}

async function load(name: NodeWebRTCName, importer: ModuleImporter): Promise<WebRTCImplementation> {
  const { pkg, specifier } = MODULES[name];
  let mod: Partial<WebRTCImplementation> & { default?: Partial<WebRTCImplementation> };
  try {
    mod = (await importer(specifier)) as typeof mod;
  } catch (e) {
    throw new WebRTCUnavailableError(name, pkg, isNotFound(e, pkg), e);
  }
  // @roamhq/wrtc is CommonJS (its default export is the module); the polyfill is ESM.
  const impl = name === 'wrtc' ? (mod.default ?? mod) : typeof mod.RTCPeerConnection === 'function' ? mod : mod.default;
  if (!impl || typeof impl.RTCPeerConnection !== 'function') {
    throw new WebRTCUnavailableError(name, pkg, false, new Error(`${specifier} has no RTCPeerConnection`));
  }
  return name === 'node-datachannel' ? adaptNodeDatachannel(impl as NodeDatachannelPolyfill) : (impl as WebRTCImplementation);
}

/** Node's "cannot find package" for `pkg` itself (not for something the package imports). */
function isNotFound(e: unknown, pkg: string): boolean {
  const { code, message } = (e ?? {}) as { code?: unknown; message?: unknown };
  const notFound = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
  return notFound && typeof message === 'string' && message.includes(`'${pkg}`);
}
