// The part of simple-peer@9 that peer-link.ts uses, straight on a W3C RTCPeerConnection, for the
// browser bundle (scripts/build-bundle.mjs aliases 'simple-peer' to this file). simple-peer@9
// drags in Node's stream, buffer, events and crypto polyfills (~106 KiB of a ~300 KiB bundle)
// for a duplex-stream API this SDK never uses: peer-link.ts writes to the channel itself.
//
// Same construction options (the subset below), events, argument shapes and signal objects as
// simple-peer@9, so a NativePeer talks to simple-peer@9 on the other end:
//   signal  {type:'offer'|'answer', sdp} · {type:'candidate', candidate:{candidate, sdpMLineIndex,
//           sdpMid}} · {type:'renegotiate', renegotiate:true} (non-initiator asking for an offer)
//   connect (channel open and ICE connected) · data (Uint8Array) · iceStateChange (ice, gathering)
//   error (always followed by close) · close (once)
// Differences on purpose: trickle only (iceCompleteTimeout is accepted and unused), no media, no
// stream API, no getStats-based address lookup before 'connect', and no timers at all.
// Renegotiation follows the connection's own 'negotiationneeded' (e.g. after pc.restartIce()):
// simple-peer@9 only negotiates when it adds something itself.
// The state lives in constructor closures rather than private fields: the bundle is size-bound
// (test/package-bundle-size.test.ts) and minifiers rename locals but never property names.
import { TypedEmitter } from '../typed-emitter.js';

/** What to build the connection from: the W3C constructors (globalThis when not given). */
export interface NativePeerWebRTC {
  RTCPeerConnection: new (config?: RTCConfiguration) => RTCPeerConnection;
  RTCSessionDescription?: new (init: RTCSessionDescriptionInit) => RTCSessionDescription;
  RTCIceCandidate?: new (init: RTCIceCandidateInit) => RTCIceCandidate;
}

export interface NativePeerOptions {
  /** This side creates the reliable channel and sends every offer. @default false */
  initiator?: boolean;
  /** Passed to the RTCPeerConnection as is. @default {} (no STUN/TURN, unlike simple-peer) */
  config?: RTCConfiguration;
  /** The WebRTC implementation. @default globalThis */
  wrtc?: NativePeerWebRTC;
  /** Label of the initiator's reliable channel. @default 40 random hex digits, as simple-peer */
  channelName?: string;
  /** Accepted for simple-peer compatibility; only trickle ICE exists here. @default true */
  trickle?: boolean;
  /** Accepted for simple-peer compatibility; unused (trickle only). */
  iceCompleteTimeout?: number;
}

export type NativePeerSignal =
  | { type: 'offer' | 'answer'; sdp: string }
  | { type: 'candidate'; candidate: RTCIceCandidateInit }
  | { type: 'renegotiate'; renegotiate: true };

export interface NativePeerEvents {
  signal: (data: NativePeerSignal) => void;
  connect: () => void;
  data: (data: Uint8Array) => void;
  iceStateChange: (iceConnectionState: RTCIceConnectionState, iceGatheringState: RTCIceGatheringState) => void;
  error: (err: Error & { code?: string }) => void;
  close: () => void;
}

/** An Error with simple-peer's `code` (err-code). */
function errCode(err: unknown, code: string): Error & { code: string } {
  const e = (err instanceof Error ? err : new Error(String(err))) as Error & { code: string };
  try {
    e.code = code;
  } catch {
    // a frozen error (some native DOMExceptions): keep it without a code
  }
  return e;
}

const iceUfrag = (sdp: string | undefined): string | undefined => (sdp ? /a=ice-ufrag:(\S+)/.exec(sdp)?.[1] : undefined);

export default class NativePeer extends TypedEmitter<NativePeerEvents> {
  readonly initiator: boolean;
  /** Applies signaling data from the remote peer (an object, or its JSON). */
  declare readonly signal: (data: NativePeerSignal | Record<string, unknown> | string) => void;
  /** Closes the channel and the connection; 'error' (when given) and 'close' follow in a microtask. */
  declare readonly destroy: (err?: Error) => void;
  /**
   * Starts a negotiation round now (simple-peer's negotiate()): the initiator offers (after one
   * under way, if any), the other side asks it to. E.g. right after pc.restartIce(), as
   * simple-peer needs; the connection's own 'negotiationneeded' then finds the round under way.
   */
  declare readonly negotiate: () => void;

  constructor(opts: NativePeerOptions = {}) {
    super();
    const initiator = (this.initiator = opts.initiator ?? false);
    const wrtc = opts.wrtc ?? (globalThis as unknown as NativePeerWebRTC);
    if (typeof wrtc.RTCPeerConnection !== 'function') throw errCode(new Error('No WebRTC support'), 'ERR_WEBRTC_SUPPORT');
    const emit = this.emit.bind(this) as <K extends keyof NativePeerEvents>(event: K, ...args: Parameters<NativePeerEvents[K]>) => boolean;

    let pc: RTCPeerConnection | null = null;
    let channel: RTCDataChannel | null = null;
    let destroyed = false;
    let destroying = false;
    let pending: RTCIceCandidateInit[] = [];
    let iceReady = false;
    let channelReady = false;
    let connected = false;
    /** An offer/answer round (or a renegotiate request) is under way: until 'stable' again. */
    let negotiating = false;
    /** Another round was asked for meanwhile. */
    let queued = false;
    /** The remote side asked for a round (non-initiator's restartIce): the offer restarts ICE. */
    let restartNext = false;
    /** Non-initiator: a renegotiate request is out. */
    let requested = false;
    /**
     * Non-initiator: the initiator answered our request with an offer that does not restart ICE
     * (simple-peer@9 never does). An answer cannot restart ICE, so the connection would ask for
     * negotiation again after every round, for ever: stop asking until an offer restarts ICE.
     */
    let requestIgnored = false;

    const destroy = (err?: Error): void => {
      if (destroyed || destroying) return;
      destroying = true;
      // As simple-peer: events racing with the call still get delivered before the teardown.
      queueMicrotask(() => {
        destroyed = true;
        destroying = connected = false;
        if (channel) {
          channel.onmessage = channel.onopen = channel.onclose = channel.onerror = null;
          try {
            channel.close();
          } catch {
            // already closed
          }
        }
        if (pc) {
          pc.oniceconnectionstatechange = pc.onicegatheringstatechange = pc.onconnectionstatechange = null;
          pc.onsignalingstatechange = pc.onnegotiationneeded = pc.ondatachannel = pc.onicecandidate = null;
          try {
            pc.close();
          } catch {
            // already closed
          }
        }
        channel = pc = null;
        if (err) emit('error', err);
        emit('close');
      });
    };
    const fail = (code: string) => (err: unknown) => destroy(errCode(err, code));

    const maybeReady = (): void => {
      if (connected || destroyed || !iceReady || !channelReady) return;
      connected = true;
      emit('connect');
    };

    const sendDescription = (created: RTCSessionDescriptionInit): void => {
      if (destroyed || !pc) return;
      const d = pc.localDescription ?? created;
      emit('signal', { type: d.type as 'offer' | 'answer', sdp: d.sdp ?? '' });
    };

    /** Creates and applies an offer or answer, then sends it. */
    const describe = (offer: boolean, options?: RTCOfferOptions): void => {
      const conn = pc!;
      (offer ? conn.createOffer(options) : conn.createAnswer())
        .then(
          (d) => (destroyed ? undefined : conn.setLocalDescription(d).then(() => sendDescription(d))),
          fail(offer ? 'ERR_CREATE_OFFER' : 'ERR_CREATE_ANSWER'),
        )
        .catch(fail('ERR_SET_LOCAL_DESCRIPTION'));
    };

    const startRound = (): void => {
      if (destroyed || destroying) return;
      if (!initiator) {
        // Before the first offer there is nothing to renegotiate: that offer will cover it.
        if (!pc?.remoteDescription || requestIgnored) return;
        requested = negotiating = true;
        emit('signal', { type: 'renegotiate', renegotiate: true });
        return;
      }
      negotiating = true;
      describe(true, restartNext ? { iceRestart: true } : undefined);
      restartNext = false;
    };

    const addIceCandidate = (candidate: RTCIceCandidateInit): void => {
      const C = wrtc.RTCIceCandidate;
      // The constructor may throw on a malformed line: from signal() that reaches the caller (as
      // in simple-peer), from the pending flush it rejects the chain and destroys the peer.
      pc!.addIceCandidate(C ? new C(candidate) : candidate).catch((err: unknown) => {
        // mDNS (.local) candidates the stack cannot resolve are not worth the link (simple-peer too).
        const address = (candidate.candidate ?? '').replace(/^a=/, '').split(' ')[4];
        if (address && !address.endsWith('.local')) fail('ERR_ADD_ICE_CANDIDATE')(err);
      });
    };

    const setupData = (ch: RTCDataChannel | null | undefined): void => {
      // @roamhq/wrtc has been seen handing back no channel (simple-peer#163).
      if (!ch) return fail('ERR_DATA_CHANNEL')(new Error('no data channel'));
      channel = ch;
      ch.binaryType = 'arraybuffer';
      ch.onmessage = (e: MessageEvent) => {
        const d: unknown = e.data;
        if (destroyed) return;
        if (d instanceof ArrayBuffer) emit('data', new Uint8Array(d));
        else if (ArrayBuffer.isView(d)) emit('data', new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
        else if (typeof d === 'string') emit('data', new TextEncoder().encode(d)); // simple-peer: Buffer.from(string)
      };
      const onOpen = (): void => {
        channelReady = true;
        maybeReady();
      };
      ch.onopen = onOpen;
      ch.onclose = () => destroy();
      ch.onerror = (e: Event) => {
        const inner = (e as Event & { error?: unknown }).error;
        // Chromium reports the far end closing the connection as an error on the channel
        // ("User-Initiated Abort, reason=Close called") when the abort beats the stream reset.
        // That is a close, not a failure.
        if (inner instanceof Error && inner.message.startsWith('User-Initiated Abort')) return destroy();
        fail('ERR_DATA_CHANNEL')(inner instanceof Error ? inner : new Error(`Datachannel error: ${(e as ErrorEvent).message}`));
      };
      if (ch.readyState === 'open') onOpen();
    };

    const onIceStateChange = (): void => {
      if (destroyed || !pc) return;
      const ice = pc.iceConnectionState;
      emit('iceStateChange', ice, pc.iceGatheringState);
      if (ice === 'connected' || ice === 'completed') {
        iceReady = true;
        maybeReady();
      } else if (ice === 'failed' || ice === 'closed') {
        fail(ice === 'failed' ? 'ERR_ICE_CONNECTION_FAILURE' : 'ERR_ICE_CONNECTION_CLOSED')(new Error(`Ice connection ${ice}.`));
      }
    };

    this.destroy = destroy;
    this.negotiate = () => {
      if (destroyed) throw errCode(new Error('cannot negotiate after peer is destroyed'), 'ERR_DESTROYED');
      if (negotiating) queued = true;
      else startRound();
    };
    this.signal = (input) => {
      if (destroying) return;
      if (destroyed) throw errCode(new Error('cannot signal after peer is destroyed'), 'ERR_DESTROYED');
      let data = input as Record<string, unknown>;
      if (typeof input === 'string') {
        try {
          data = JSON.parse(input) as Record<string, unknown>;
        } catch {
          data = {};
        }
      }
      const conn = pc!;
      if (data.renegotiate && initiator) {
        restartNext = true;
        if (negotiating) queued = true;
        else startRound();
      }
      if (data.candidate) {
        const candidate = data.candidate as RTCIceCandidateInit;
        if (conn.remoteDescription?.type) addIceCandidate(candidate);
        else pending.push(candidate);
      }
      if (data.sdp) {
        const init = { type: data.type, sdp: data.sdp } as RTCSessionDescriptionInit;
        const previousUfrag = iceUfrag(conn.remoteDescription?.sdp);
        conn
          .setRemoteDescription(wrtc.RTCSessionDescription ? new wrtc.RTCSessionDescription(init) : init)
          .then(() => {
            if (destroyed) return;
            if (init.type === 'offer' && previousUfrag !== undefined) {
              // A later offer: did it restart ICE (see requestIgnored)?
              const restart = iceUfrag(init.sdp) !== previousUfrag;
              if (requested) requestIgnored = !restart;
              else if (restart) requestIgnored = false;
              requested = false;
            }
            const flush = pending;
            pending = [];
            flush.forEach(addIceCandidate);
            if (init.type === 'offer') describe(false);
          })
          .catch(fail('ERR_SET_REMOTE_DESCRIPTION'));
      }
      if (!data.sdp && !data.candidate && !data.renegotiate && !data.transceiverRequest) {
        fail('ERR_SIGNALING')(new Error('signal() called with invalid signal data'));
      }
    };

    try {
      pc = new wrtc.RTCPeerConnection(opts.config ?? {});
    } catch (err) {
      fail('ERR_PC_CONSTRUCTOR')(err);
      return;
    }
    const conn = pc;
    conn.oniceconnectionstatechange = conn.onicegatheringstatechange = onIceStateChange;
    conn.onconnectionstatechange = () => {
      if (conn.connectionState === 'failed') fail('ERR_CONNECTION_FAILURE')(new Error('Connection failed.'));
    };
    conn.onsignalingstatechange = () => {
      if (destroyed || conn.signalingState !== 'stable') return;
      negotiating = false;
      if (queued) {
        queued = false;
        startRound();
      }
    };
    conn.onicecandidate = (e) => {
      const c = e.candidate;
      if (!destroyed && c) emit('signal', { type: 'candidate', candidate: { candidate: c.candidate, sdpMLineIndex: c.sdpMLineIndex, sdpMid: c.sdpMid } });
    };
    // Only while idle: a change made during a round makes the connection fire again once stable.
    conn.onnegotiationneeded = () => {
      if (!negotiating) startRound();
    };

    if (initiator) {
      const label = opts.channelName ?? Array.from(globalThis.crypto.getRandomValues(new Uint8Array(20)), (x) => x.toString(16).padStart(2, '0')).join('');
      try {
        setupData(conn.createDataChannel(label, {}));
      } catch (err) {
        fail('ERR_DATA_CHANNEL')(err);
        return;
      }
      // The first offer is not left to 'negotiationneeded': stacks differ in whether and when
      // they fire it for the first channel. A microtask lets the caller attach listeners first.
      queueMicrotask(() => {
        if (!negotiating) startRound();
      });
    } else {
      conn.ondatachannel = (e) => {
        if (!channel) setupData(e.channel);
      };
    }
  }
}
