// node-datachannel's W3C polyfill (libdatachannel) behind the WebRTCImplementation shape simple-peer takes.
// Differences from a browser that matter to simple-peer and to this SDK, checked against
// node-datachannel 0.33 (dist/esm/polyfill):
//
// 1. createOffer()/createAnswer() resolve an RTCSessionDescription whose `sdp` is a getter only.
//    simple-peer always does `offer.sdp = sdpTransform(offer.sdp)` inside a class body (strict
//    mode), which throws and kills the peer with ERR_CREATE_OFFER / ERR_CREATE_ANSWER.
//    Fixed here: both resolve a plain `{ type, sdp }` (RTCSessionDescriptionInit, as the spec says).
// 2. RTCDataChannel's native error callback constructs `new RTCError(...)` without importing it,
//    so a channel error would throw a ReferenceError from a native callback (an uncaught
//    exception). Fixed here: the polyfill's own RTCError is installed as a global when none exists.
// 3. libdatachannel negotiates automatically: createDataChannel() on a connection with no local
//    description creates a local *offer*. The answering side must therefore not create channels
//    (e.g. negotiated ones) before the remote offer is applied. Handled in peer-link.ts, which
//    creates the answerer's negotiated channels once its answer exists.
// 4. The polyfill hands TURN credentials to libdatachannel inside the URL
//    (`turn:user:pass@host`) without encoding them, and libdatachannel splits at ':'; a TURN REST
//    username ("<expiry>:<uid>") then allocates nothing. Fixed here: both are percent-encoded
//    (libdatachannel decodes them; checked against coturn in test/ice-turn-credentials.test.ts).
// Checked and compatible as is: getStats() (promise form, with a selected candidate pair, so
// simple-peer's 'connect' fires), close(), channel binaryType ('arraybuffer' default),
// bufferedAmount (live), bufferedAmountLowThreshold + 'bufferedamountlow' (supported),
// negotiated channels with fixed ids, setLocalDescription(answer) (a no-op: libdatachannel has
// already applied it).
import type { WebRTCImplementation } from '../base-types.js';

/** The parts of the 'node-datachannel/polyfill' module this adapter uses. */
export interface NodeDatachannelPolyfill {
  RTCPeerConnection: new (config?: RTCConfiguration) => PolyfillPeerConnection;
  RTCSessionDescription?: new (init: RTCSessionDescriptionInit) => RTCSessionDescription;
  RTCIceCandidate?: new (init: RTCIceCandidateInit) => RTCIceCandidate;
  RTCError?: unknown;
}

/** Only what the adapter overrides; the rest is W3C RTCPeerConnection. */
interface PolyfillPeerConnection {
  createOffer(options?: RTCOfferOptions): Promise<RTCSessionDescriptionInit>;
  createAnswer(options?: RTCAnswerOptions): Promise<RTCSessionDescriptionInit>;
}

const adapted = new WeakMap<object, WebRTCImplementation>();
/**
 * Marks RTCPeerConnection classes made by this adapter (see isNodeDatachannel). A registered
 * symbol on the class, not a module-local set: an app (or the benchmark) may load this module
 * twice, e.g. from the sources and from dist/, and the mark must be seen by both copies.
 */
const ADAPTED = Symbol.for('rtsmesh.node-datachannel');

/**
 * Whether `impl` is node-datachannel as adapted here, or a subclass of it (a wrapper that extends
 * it): such a connection also takes libdatachannel's own config keys (e.g. `bindAddress`).
 */
export function isNodeDatachannel(impl: { RTCPeerConnection: unknown }): boolean {
  // Static properties are inherited along the constructors' prototype chain, so a subclass
  // (a wrapper that extends the adapted class) carries the mark too.
  const c = impl.RTCPeerConnection as { [ADAPTED]?: boolean } | undefined;
  return typeof c === 'function' && c[ADAPTED] === true;
}

export function adaptNodeDatachannel(polyfill: NodeDatachannelPolyfill): WebRTCImplementation {
  const known = adapted.get(polyfill.RTCPeerConnection);
  if (known) return known;

  const g = globalThis as { RTCError?: unknown };
  if (g.RTCError === undefined && polyfill.RTCError !== undefined) g.RTCError = polyfill.RTCError;

  const Base = polyfill.RTCPeerConnection;
  class AdaptedRTCPeerConnection extends Base {
    constructor(config?: RTCConfiguration) {
      super(config?.iceServers ? { ...config, iceServers: config.iceServers.map(encodeCredentials) } : config);
    }
    override createOffer(options?: RTCOfferOptions): Promise<RTCSessionDescriptionInit> {
      return super.createOffer(options).then(toInit);
    }
    override createAnswer(options?: RTCAnswerOptions): Promise<RTCSessionDescriptionInit> {
      return super.createAnswer(options).then(toInit);
    }
  }
  const impl: WebRTCImplementation = {
    // The polyfill implements the rest of RTCPeerConnection; its types just are not the DOM's.
    RTCPeerConnection: AdaptedRTCPeerConnection as unknown as WebRTCImplementation['RTCPeerConnection'],
    RTCSessionDescription: polyfill.RTCSessionDescription,
    RTCIceCandidate: polyfill.RTCIceCandidate,
  };
  adapted.set(polyfill.RTCPeerConnection, impl);
  Object.defineProperty(AdaptedRTCPeerConnection, ADAPTED, { value: true });
  return impl;
}

function encodeCredentials(server: RTCIceServer): RTCIceServer {
  if (!server.username || typeof server.credential !== 'string') return server;
  return { ...server, username: encodeURIComponent(server.username), credential: encodeURIComponent(server.credential) };
}

function toInit(d: RTCSessionDescriptionInit): RTCSessionDescriptionInit {
  return { type: d.type, sdp: d.sdp };
}
