// Keeps peer links on chosen IP addresses (RTSParameters.iceAddresses): e.g. ['127.0.0.1'] for
// tests on one machine, or one LAN interface. Left alone, every WebRTC stack gathers host
// candidates on every interface and may pick any of them for the link.
//
// The wrapper works on the W3C surface, so it fits browsers' native RTCPeerConnection, @roamhq/wrtc
// and node-datachannel alike:
//   - local candidates whose address is not listed are never announced: filtered where each
//     stack raises 'icecandidate' (dispatchEvent for the Node stacks; the onicecandidate handler
//     and addEventListener listeners for a native browser connection, which fires internally);
//   - remote candidates whose address is not listed are never applied (addIceCandidate), and
//     candidate lines are stripped from remote SDP and from our own localDescription (where the
//     stack lets a subclass override it: browsers and node-datachannel);
//   - node-datachannel with exactly one IPv4 address also gets libdatachannel's `bindAddress`,
//     so libjuice does not even open sockets on the other interfaces.
// Both ends should restrict: an unrestricted peer may still reach us on an address it learns
// some other way (peer-reflexive), the wrapper only controls what this end offers and accepts.
import { isNodeDatachannel } from './ndc-adapter.js';
import type { WebRTCImplementation } from '../base-types.js';

/** A fixed list, or a getter read for every connection and candidate (undefined = no restriction). */
export type IceAddresses = readonly string[] | (() => readonly string[] | undefined);

type IceEventLike = { type: string; candidate?: { candidate?: string } | null };
type Listener = ((e: IceEventLike) => void) | { handleEvent(e: IceEventLike): void };
type Handler = ((e: IceEventLike) => void) | null;

/** The connection address of a candidate ("[a=]candidate:foundation component proto prio ADDRESS port typ …"). */
export function candidateAddress(line: string): string | undefined {
  return line.replace(/^a=/, '').split(' ')[4];
}

const normalize = (address: string): string => address.replace(/^\[|\]$/g, '').toLowerCase();

/** An SDP without the candidate lines whose address `allowed` refuses. */
function stripSdp(sdp: string | undefined, allowed: (line: string) => boolean): string | undefined {
  if (!sdp) return sdp;
  return sdp
    .split(/\r?\n/)
    .filter((l) => !l.startsWith('a=candidate:') || allowed(l))
    .join('\r\n');
}

const DESCRIPTIONS = new Set(['localDescription', 'currentLocalDescription', 'pendingLocalDescription']);

/** A local description without the candidate lines `allowed` refuses (as is while unrestricted). */
function stripDescription<D>(d: D, allowed: (line: string) => boolean, current: () => unknown): D {
  const desc = d as { type?: RTCSdpType; sdp?: string } | null | undefined;
  if (!desc || typeof desc.sdp !== 'string' || !current()) return d;
  const init = { type: desc.type, sdp: stripSdp(desc.sdp, allowed) ?? '' };
  return { ...init, toJSON: () => init } as D;
}

/** The descriptor of `name` on `proto` or the nearest prototype that has one. */
function findDescriptor(proto: object | null, name: string): PropertyDescriptor | undefined {
  for (let p = proto; p; p = Object.getPrototypeOf(p) as object | null) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (d) return d;
  }
  return undefined;
}

/**
 * Wraps a W3C WebRTC implementation so its connections only announce and accept ICE candidates
 * whose address is in `addresses` (IPv4 dotted or IPv6 as candidates write it; case-insensitive).
 * Candidates with a hostname (mDNS `.local`) or a relay/reflexive address not listed are dropped.
 */
export function restrictIceAddresses<T extends WebRTCImplementation>(impl: T, addresses: IceAddresses): T {
  const current = (): readonly string[] | undefined => (typeof addresses === 'function' ? addresses() : addresses);
  const allowed = (line: string | undefined | null): boolean => {
    const list = current();
    if (!list || !line) return true; // no restriction, or end-of-candidates
    const address = candidateAddress(line);
    return address !== undefined && list.some((a) => normalize(a) === normalize(address));
  };
  const allowedEvent = (e: IceEventLike): boolean => e.type !== 'icecandidate' || allowed(e.candidate?.candidate);
  const ndc = isNodeDatachannel(impl);

  // Per listener / per connection, not private fields: node-datachannel's constructor already
  // calls addEventListener, before a subclass's fields exist.
  const wrappedListeners = new WeakMap<object, Listener>();
  const wrapListener = (listener: Listener): Listener => {
    let w = wrappedListeners.get(listener);
    if (!w) {
      w = typeof listener === 'function'
        ? function (this: unknown, e: IceEventLike) { if (allowedEvent(e)) listener.call(this, e); }
        : { handleEvent: (e: IceEventLike) => { if (allowedEvent(e)) listener.handleEvent(e); } };
      wrappedListeners.set(listener, w);
    }
    return w;
  };
  const handlers = new WeakMap<object, Handler>();

  type BasePC = RTCPeerConnection & { dispatchEvent(e: IceEventLike): boolean };
  const Base = impl.RTCPeerConnection as unknown as new (config?: RTCConfiguration) => BasePC;
  // Browsers: onicecandidate is an accessor of the native prototype and events are fired inside
  // the engine, so the handler itself must be wrapped. Node stacks read it in dispatchEvent.
  const nativeSetter = findDescriptor(Base.prototype, 'onicecandidate')?.set;

  class RestrictedRTCPeerConnection extends Base {
    constructor(config?: RTCConfiguration) {
      const list = current();
      const only = list?.length === 1 && /^\d{1,3}(\.\d{1,3}){3}$/.test(list[0]!) ? list[0] : undefined;
      super(ndc && only ? ({ ...config, bindAddress: only } as RTCConfiguration) : config);
      // @roamhq/wrtc defines its descriptions as own, non-configurable getters, out of a
      // subclass's reach; its local description (which simple-peer sends as the answer) lists
      // every gathered candidate. A proxy strips them there. Never for a native connection (the
      // browser's methods refuse a proxy as `this`), whose getters are on the prototype.
      if (Object.getOwnPropertyDescriptor(this, 'localDescription')) {
        return new Proxy(this, {
          get: (target, prop) => {
            const value: unknown = Reflect.get(target, prop, target);
            return typeof prop === 'string' && DESCRIPTIONS.has(prop) ? stripDescription(value, allowed, current) : value;
          },
          set: (target, prop, value) => Reflect.set(target, prop, value, target),
        });
      }
    }

    override dispatchEvent(e: IceEventLike): boolean {
      if (!allowedEvent(e)) return true;
      return super.dispatchEvent(e);
    }

    override addEventListener(type: string, listener: unknown, options?: unknown): void {
      const l = type === 'icecandidate' && listener ? wrapListener(listener as Listener) : listener;
      (super.addEventListener as (t: string, l: unknown, o?: unknown) => void)(type, l, options);
    }

    override removeEventListener(type: string, listener: unknown, options?: unknown): void {
      const l = type === 'icecandidate' && listener ? (wrappedListeners.get(listener as object) ?? listener) : listener;
      (super.removeEventListener as (t: string, l: unknown, o?: unknown) => void)(type, l, options);
    }

    override get onicecandidate(): Handler {
      return handlers.get(this) ?? null;
    }

    override set onicecandidate(h: Handler) {
      handlers.set(this, h);
      nativeSetter?.call(this, typeof h === 'function' ? wrapListener(h) : h);
    }

    override get localDescription(): RTCSessionDescription | null {
      return stripDescription(super.localDescription, allowed, current);
    }

    override get currentLocalDescription(): RTCSessionDescription | null {
      return stripDescription(super.currentLocalDescription, allowed, current);
    }

    override get pendingLocalDescription(): RTCSessionDescription | null {
      return stripDescription(super.pendingLocalDescription, allowed, current);
    }

    override addIceCandidate(c?: RTCIceCandidateInit | null): Promise<void> {
      if (c && !allowed(c.candidate)) return Promise.resolve();
      return super.addIceCandidate(c ?? undefined);
    }

    override setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
      if (!current()) return super.setRemoteDescription(d);
      return super.setRemoteDescription({ type: d.type, sdp: stripSdp(d.sdp, allowed) });
    }
  }
  return { ...impl, RTCPeerConnection: RestrictedRTCPeerConnection as unknown as WebRTCImplementation['RTCPeerConnection'] };
}

