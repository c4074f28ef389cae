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

function randomHex(bytes: number): string {
  const b = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

const encoder = new TextEncoder();

function iceUfrag(sdp: string | undefined): string | undefined {
  return sdp ? /a=ice-ufrag:(\S+)/.exec(sdp)?.[1] : undefined;
}

export default class NativePeer extends TypedEmitter<NativePeerEvents> {
  readonly initiator: boolean;
  channelName: string | null;
  destroyed = false;
  destroying = false;

  private readonly wrtc: NativePeerWebRTC;
  private pc: RTCPeerConnection | null = null;
  private channel: RTCDataChannel | null = null;
  private pendingCandidates: RTCIceCandidateInit[] = [];
  private pcReady = false;
  private channelReady = false;
  private connected = false;
  /** An offer/answer round (or a renegotiate request) is under way: until 'stable' again. */
  private negotiating = false;
  /** Another round was asked for meanwhile. */
  private queuedNegotiation = false;
  /** The remote side asked for a round (non-initiator's restartIce): the offer restarts ICE. */
  private restartNext = false;
  /** Non-initiator: a renegotiate request is out. */
  private requested = false;
  /**
   * Non-initiator: the initiator answered our request with an offer that does not restart ICE
   * (simple-peer@9 never does). An answer cannot restart ICE, so the connection would ask for
   * negotiation again after every round, for ever: stop asking until an offer restarts ICE.
   */
  private requestIgnored = false;

  constructor(opts: NativePeerOptions = {}) {
    super();
    this.initiator = opts.initiator ?? false;
    this.channelName = this.initiator ? (opts.channelName ?? randomHex(20)) : null;
    const wrtc = opts.wrtc ?? (globalThis as unknown as Partial<NativePeerWebRTC>);
    if (typeof wrtc.RTCPeerConnection !== 'function') {
      throw errCode(new Error('No WebRTC support: no RTCPeerConnection'), 'ERR_WEBRTC_SUPPORT');
    }
    this.wrtc = wrtc as NativePeerWebRTC;

    let pc: RTCPeerConnection;
    try {
      pc = new this.wrtc.RTCPeerConnection(opts.config ?? {});
    } catch (err) {
      this.destroy(errCode(err, 'ERR_PC_CONSTRUCTOR'));
      return;
    }
    this.pc = pc;
    pc.oniceconnectionstatechange = () => this.onIceStateChange();
    pc.onicegatheringstatechange = () => this.onIceStateChange();
    pc.onconnectionstatechange = () => {
      if (!this.destroyed && pc.connectionState === 'failed') {
        this.destroy(errCode(new Error('Connection failed.'), 'ERR_CONNECTION_FAILURE'));
      }
    };
    pc.onsignalingstatechange = () => this.onSignalingStateChange();
    pc.onicecandidate = (e) => this.onIceCandidate(e);
    // Only while idle: a change made during a round makes the connection fire again once stable.
    pc.onnegotiationneeded = () => {
      if (!this.destroyed && !this.negotiating) this.negotiate();
    };

    if (this.initiator) {
      try {
        this.setupData(pc.createDataChannel(this.channelName!, {}));
      } catch (err) {
        this.destroy(errCode(err, 'ERR_DATA_CHANNEL'));
        return;
      }
      // The first offer is not left to 'negotiationneeded': stacks differ in whether and when
      // they fire it for the first channel. A microtask lets the caller attach listeners first.
      queueMicrotask(() => {
        if (!this.destroyed && !this.negotiating) this.negotiate();
      });
    } else {
      pc.ondatachannel = (e) => {
        if (!this.channel) this.setupData(e.channel);
      };
    }
  }

  /** Applies signaling data from the remote peer (an object, or its JSON). */
  signal(input: NativePeerSignal | Record<string, unknown> | string): void {
    if (this.destroying) return;
    if (this.destroyed) throw errCode(new Error('cannot signal after peer is destroyed'), 'ERR_DESTROYED');
    let data: Record<string, unknown>;
    if (typeof input === 'string') {
      try {
        data = JSON.parse(input) as Record<string, unknown>;
      } catch {
        data = {};
      }
    } else {
      data = input as Record<string, unknown>;
    }
    const pc = this.pc!;

    if (data.renegotiate && this.initiator) {
      this.restartNext = true;
      if (this.negotiating) this.queuedNegotiation = true;
      else this.negotiate();
    }
    if (data.candidate) {
      const candidate = data.candidate as RTCIceCandidateInit;
      if (pc.remoteDescription?.type) this.addIceCandidate(candidate);
      else this.pendingCandidates.push(candidate);
    }
    if (data.sdp) {
      const init = { type: data.type, sdp: data.sdp } as RTCSessionDescriptionInit;
      const desc = this.wrtc.RTCSessionDescription ? new this.wrtc.RTCSessionDescription(init) : init;
      const previousUfrag = iceUfrag(pc.remoteDescription?.sdp);
      pc.setRemoteDescription(desc)
        .then(() => {
          if (this.destroyed) return;
          if (init.type === 'offer' && previousUfrag !== undefined) this.onRemoteReoffer(iceUfrag(init.sdp) !== previousUfrag);
          const pending = this.pendingCandidates;
          this.pendingCandidates = [];
          for (const c of pending) this.addIceCandidate(c);
          if (pc.remoteDescription?.type === 'offer') this.createAnswer();
        })
        .catch((err: unknown) => this.destroy(errCode(err, 'ERR_SET_REMOTE_DESCRIPTION')));
    }
    if (!data.sdp && !data.candidate && !data.renegotiate && !data.transceiverRequest) {
      this.destroy(errCode(new Error('signal() called with invalid signal data'), 'ERR_SIGNALING'));
    }
  }

  /** Closes the channel and the connection; 'error' (when given) and 'close' follow in a microtask. */
  destroy(err?: Error): void {
    if (this.destroyed || this.destroying) return;
    this.destroying = true;
    // As simple-peer: events racing with the call still get delivered before the teardown.
    queueMicrotask(() => {
      this.destroyed = true;
      this.destroying = false;
      this.connected = false;
      const { channel, pc } = this;
      this.channel = null;
      this.pc = null;
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
        pc.onsignalingstatechange = pc.onnegotiationneeded = pc.ondatachannel = null;
        pc.onicecandidate = null;
        try {
          pc.close();
        } catch {
          // already closed
        }
      }
      if (err) this.emit('error', err);
      this.emit('close');
    });
  }

  private addIceCandidate(candidate: RTCIceCandidateInit): void {
    const C = this.wrtc.RTCIceCandidate;
    // The constructor may throw on a malformed line: from signal() that reaches the caller (as in
    // simple-peer), from the pending flush it rejects the chain and destroys the peer.
    const obj = C ? new C(candidate) : candidate;
    this.pc!.addIceCandidate(obj).catch((err: unknown) => {
      // mDNS (.local) candidates the stack cannot resolve are not worth the link (simple-peer too).
      const address = (candidate.candidate ?? '').replace(/^a=/, '').split(' ')[4];
      if (!address || address.endsWith('.local')) return;
      this.destroy(errCode(err, 'ERR_ADD_ICE_CANDIDATE'));
    });
  }

  /** A later offer from the initiator was applied; `restart`: with new ICE credentials. */
  private onRemoteReoffer(restart: boolean): void {
    if (this.requested) this.requestIgnored = !restart;
    else if (restart) this.requestIgnored = false;
    this.requested = false;
  }

  private negotiate(): void {
    if (this.destroyed || this.destroying) return;
    if (!this.initiator) {
      // Before the first offer there is nothing to renegotiate: that offer will cover it.
      if (!this.pc?.remoteDescription || this.requestIgnored) return;
      this.requested = true;
      this.negotiating = true;
      this.emit('signal', { type: 'renegotiate', renegotiate: true });
      return;
    }
    this.negotiating = true;
    const pc = this.pc!;
    const iceRestart = this.restartNext;
    this.restartNext = false;
    pc.createOffer(iceRestart ? { iceRestart } : undefined)
      .then((offer) => {
        if (this.destroyed) return undefined;
        return pc.setLocalDescription(offer).then(() => this.sendDescription(offer));
      }, (err: unknown) => this.destroy(errCode(err, 'ERR_CREATE_OFFER')))
      .catch((err: unknown) => this.destroy(errCode(err, 'ERR_SET_LOCAL_DESCRIPTION')));
  }

  private createAnswer(): void {
    const pc = this.pc!;
    pc.createAnswer()
      .then((answer) => {
        if (this.destroyed) return undefined;
        return pc.setLocalDescription(answer).then(() => this.sendDescription(answer));
      }, (err: unknown) => this.destroy(errCode(err, 'ERR_CREATE_ANSWER')))
      .catch((err: unknown) => this.destroy(errCode(err, 'ERR_SET_LOCAL_DESCRIPTION')));
  }

  private sendDescription(created: RTCSessionDescriptionInit): void {
    if (this.destroyed || !this.pc) return;
    const d = this.pc.localDescription ?? created;
    this.emit('signal', { type: d.type as 'offer' | 'answer', sdp: d.sdp ?? '' });
  }

  private setupData(channel: RTCDataChannel | null | undefined): void {
    // @roamhq/wrtc has been seen handing back no channel (simple-peer#163).
    if (!channel) {
      this.destroy(errCode(new Error('Data channel event is missing `channel` property'), 'ERR_DATA_CHANNEL'));
      return;
    }
    this.channel = channel;
    this.channelName = channel.label;
    channel.binaryType = 'arraybuffer';
    channel.onmessage = (e: MessageEvent) => {
      if (this.destroyed) return;
      const d: unknown = e.data;
      if (d instanceof ArrayBuffer) this.emit('data', new Uint8Array(d));
      else if (ArrayBuffer.isView(d)) this.emit('data', new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
      else if (typeof d === 'string') this.emit('data', encoder.encode(d)); // simple-peer: Buffer.from(string)
    };
    channel.onopen = () => {
      if (this.connected || this.destroyed) return;
      this.channelReady = true;
      this.maybeReady();
    };
    channel.onclose = () => {
      if (!this.destroyed) this.destroy();
    };
    channel.onerror = (e: Event) => {
      const inner = (e as Event & { error?: unknown }).error;
      const err = inner instanceof Error ? inner : new Error(`Datachannel error: ${(e as ErrorEvent).message ?? 'unknown'}`);
      this.destroy(errCode(err, 'ERR_DATA_CHANNEL'));
    };
    if (channel.readyState === 'open') {
      this.channelReady = true;
      this.maybeReady();
    }
  }

  private maybeReady(): void {
    if (this.connected || this.destroyed || !this.pcReady || !this.channelReady) return;
    this.connected = true;
    this.emit('connect');
  }

  private onIceStateChange(): void {
    const pc = this.pc;
    if (this.destroyed || !pc) return;
    const ice = pc.iceConnectionState;
    this.emit('iceStateChange', ice, pc.iceGatheringState);
    if (ice === 'connected' || ice === 'completed') {
      this.pcReady = true;
      this.maybeReady();
    } else if (ice === 'failed') {
      this.destroy(errCode(new Error('Ice connection failed.'), 'ERR_ICE_CONNECTION_FAILURE'));
    } else if (ice === 'closed') {
      this.destroy(errCode(new Error('Ice connection closed.'), 'ERR_ICE_CONNECTION_CLOSED'));
    }
  }

  private onSignalingStateChange(): void {
    if (this.destroyed || this.pc?.signalingState !== 'stable') return;
    this.negotiating = false;
    if (this.queuedNegotiation) {
      this.queuedNegotiation = false;
      this.negotiate();
    }
  }

  private onIceCandidate(e: RTCPeerConnectionIceEvent): void {
    if (this.destroyed || !e.candidate) return;
    const c = e.candidate;
    this.emit('signal', { type: 'candidate', candidate: { candidate: c.candidate, sdpMLineIndex: c.sdpMLineIndex, sdpMid: c.sdpMid } });
  }
}
