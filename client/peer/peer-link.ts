// One direct link to one remote user: a simple-peer instance carrying the reliable channel, plus
// two unreliable channels opened on the same RTCPeerConnection with fixed ids (negotiated: true)
// so that both sides create them without an extra signaling round:
//
//   reliable              simple-peer's own channel (ordered, reliable)
//   unreliable-ordered    id 2, ordered,   maxRetransmits 0
//   unreliable-unordered  id 3, unordered, maxRetransmits 0
//
// In-band channels get the lowest free id of their DTLS role's parity (0 or 1), so 2 and 3
// never collide with simple-peer's. The initiator creates its negotiated channels with the peer;
// the answerer only once its answer exists, because libdatachannel (node-datachannel) turns a
// createDataChannel() on a connection without a local description into a local offer.
//
// Liveness (liveness.ts): a heartbeat on idle links; a link silent for linkTimeoutMs is
// 'stalled' (not open: traffic goes by relay) and 'alive' again at the first byte heard; while
// stalled, ice-restart.ts restarts ICE or, past a bound, gives the link up. An ICE
// 'disconnected' alone closes nothing: ICE often recovers by itself.
//
// Every inbound message is hostile: reassembled (chunking.ts), decoded (decodeFrames: msgpack +
// schema); bad ones are counted and dropped, and a link that keeps sending them is closed.
import SimplePeer from 'simple-peer';
import type { Frame } from '../../shared/frame.js';
import type { ChannelKind } from '../transport/types.js';
import { TypedEmitter } from '../typed-emitter.js';
import { FrameReassembler, maxWireBytesFor, toBytes } from './chunking.js';
import { ChannelWriter, writerDefaultsFor, type ChannelWriterOptions, type ResolvedWriterOptions, type WritableChannel } from './channel-writer.js';
import type { PeerSignal } from './link-signal.js';
import { watched, OWN_LABEL, type Seen } from './watched-connection.js';
import { DEFAULT_LINK_TIMEOUT_MS, ICE_RESTART_TIMEOUTS, type PeerLinkEvents, type PeerLinkOptions } from './peer-link-types.js';
import { isNodeDatachannel } from './ndc-adapter.js';
import { isHeartbeat, HEARTBEAT, Liveness } from './liveness.js';
import { readSelectedPath, type SelectedPath } from './link-stats.js';
import { IceRestart } from './ice-restart.js';
import { candidateAddress } from './address-filter.js';
import { withoutCandidates } from './sdp-candidates.js';

export type { PeerLinkEvents, PeerLinkOptions } from './peer-link-types.js';
export const UNRELIABLE_ORDERED_CHANNEL_ID = 2;
export const UNRELIABLE_UNORDERED_CHANNEL_ID = 3;

const KINDS: readonly ChannelKind[] = ['reliable', 'unreliable-ordered', 'unreliable-unordered'];

export class PeerLink extends TypedEmitter<PeerLinkEvents> {
  readonly uid: string;
  readonly lid: string;
  readonly initiator: boolean;
  /** Epoch of the remote manager, once known (from its answer). */
  remoteEpoch: string | undefined;
  /** True when this stack could not open the negotiated channels: unreliable kinds use 'reliable'. */
  unreliableFallback = false;

  private readonly peer: SimplePeer.Instance;
  /** The connection and reliable channel simple-peer made, as they appear (see watched()). */
  private readonly seen: Seen = {};
  private readonly opts: PeerLinkOptions;
  private readonly channels = new Map<ChannelKind, RTCDataChannel>();
  private readonly writers = new Map<ChannelKind, ChannelWriter>();
  private readonly reassemblers = new Map<ChannelKind, FrameReassembler>();
  private opened = false;
  private closed = false;
  /**
   * The initiator's own candidates, held back until the remote answer is applied (then null).
   * An answerer that knows our candidates starts ICE checks at once, and they reach us before
   * its answer does (the answer takes the long way, through the signaling server). libdatachannel
   * (node-datachannel) sometimes loses that race under load: applying the answer then fails
   * with "Got a remote candidate without ICE transport" and the connection closes. Without our
   * candidates the answerer cannot check before we have its answer; it costs one signaling hop.
   * Only there: other stacks have no such race, and @roamhq/wrtc, while many connections in
   * the process gather at once, keeps trickling new TCP candidates (a new port each; ~30 per
   * link seen in a forming 16-mesh), which pile up while held and leave in one burst. Bursts of a whole mesh
   * overran the server's signal rate cap and queues; lost signals left links to their connect
   * timeout, and every retry added connections and candidates (16 engines: 15-45 s, not ~2 s).
   */
  private heldCandidates: PeerSignal[] | null;
  private peerError: Error | null = null;
  private readonly liveness: Liveness;
  private readonly recovery: IceRestart;
  /** bufferedAmount of the reliable channel when outboundDrained() last looked. */
  private lastBuffered = 0;
  private closedBytesSent = 0;
  private closedMessagesSent = 0;

  bytesReceived = 0;
  malformed = 0;
  /** Addresses of the local candidates gathered so far (see address-watch.ts). */
  readonly gatheredAddresses = new Set<string>();

  constructor(opts: PeerLinkOptions) {
    super();
    this.opts = opts;
    this.uid = opts.uid;
    this.lid = opts.lid;
    this.initiator = opts.initiator;
    this.heldCandidates = opts.initiator && isNodeDatachannel(opts.webrtc) ? [] : null;
    this.liveness = new Liveness(opts.linkTimeoutMs ?? DEFAULT_LINK_TIMEOUT_MS, {
      sendHeartbeat: () => this.sendHeartbeat(),
      sentCount: () => this.wireMessagesSent,
      outboundDrained: () => this.outboundDrained(),
      stalled: () => this.onStalled(),
      alive: () => this.onAlive(),
    });
    this.recovery = new IceRestart({
      initiator: opts.initiator,
      webrtc: opts.webrtc,
      pc: () => this.seen.pc,
      iceServers: () => this.iceServers(),
      negotiate: () => (this.peer as SimplePeer.Instance & { negotiate(): void }).negotiate(),
      giveUp: (reason) => this.destroy(reason),
    }, opts.iceRestartTimeoutMs ?? ICE_RESTART_TIMEOUTS * (opts.linkTimeoutMs ?? DEFAULT_LINK_TIMEOUT_MS));
    for (const kind of KINDS) {
      this.reassemblers.set(kind, new FrameReassembler({ maxMessageBytes: opts.maxReassembledBytes }));
    }

    this.peer = new SimplePeer({
      initiator: opts.initiator,
      trickle: true,
      config: { iceServers: this.iceServers() },
      wrtc: watched(opts.webrtc, this.seen) as SimplePeer.Options['wrtc'],
      // Only gates non-trickle signaling; short, so its timer never outlives the link.
      iceCompleteTimeout: 1,
    });

    // An 'error' without a listener would crash Node; simple-peer always follows it with 'close'.
    this.peer.on('error', (err: Error) => {
      this.peerError = err;
    });
    this.peer.on('close', () => this.destroy(this.peerError ? `error: ${this.peerError.message}` : 'closed'));
    this.peer.on('signal', (data: SimplePeer.SignalData) => this.onPeerSignal(data));
    this.peer.on('connect', () => this.onConnect());
    this.peer.on('data', (data: Uint8Array) => this.onWire('reliable', data));
    this.peer.on('iceStateChange', (ice: RTCIceConnectionState) => {
      // 'disconnected' is left alone: it often recovers, and the liveness check has already
      // moved traffic to the relay if the link went quiet. simple-peer itself ends the peer on
      // 'failed' and 'closed'.
      if (ice === 'failed' || ice === 'closed') this.destroy(`ice ${ice}`);
    });

    if (opts.initiator) this.createUnreliableChannels();
  }

  /** Open and not stalled: frames sent now go direct. */
  get isOpen(): boolean {
    return this.opened && !this.closed && !this.liveness.isStalled;
  }

  /** The selected path as the WebRTC stack reports it (nulls before connect or after close). */
  selectedPath(): Promise<SelectedPath> {
    return readSelectedPath(this.rtcPeerConnection, isNodeDatachannel(this.opts.webrtc));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get bytesSent(): number {
    let n = this.closedBytesSent;
    for (const w of this.writers.values()) n += w.bytesSent;
    return n;
  }

  /** Data-channel messages handed to the channels (after coalescing and chunking). */
  get wireMessagesSent(): number {
    let n = this.closedMessagesSent;
    for (const w of this.writers.values()) n += w.messagesSent;
    return n;
  }

  /** Estimated bytes waiting in JS queues across this link's channels. */
  get queuedBytes(): number {
    let n = 0;
    for (const w of this.writers.values()) n += w.queuedBytes;
    return n;
  }

  /** Unreliable frames dropped because their queue was full. */
  get framesDropped(): number {
    let n = 0;
    for (const w of this.writers.values()) n += w.framesDropped;
    return n;
  }

  /** Diagnostics and tests: the underlying connection (null once closed). */
  get rtcPeerConnection(): RTCPeerConnection | null {
    return this.closed ? null : (this.seen.pc ?? null);
  }

  /** Diagnostics and tests: the raw channel of a kind, bypassing flow control. */
  rawChannel(kind: ChannelKind): RTCDataChannel | null {
    if (this.closed) return null;
    if (kind === 'reliable' || this.unreliableFallback) return this.seen.reliable ?? null;
    return this.channels.get(kind) ?? null;
  }

  /** Remote signaling data, already validated (link-signal.ts). */
  signal(data: PeerSignal): void {
    if (this.closed) return;
    if (data.type === 'candidate' && data.candidate.candidate === '') return; // end-of-candidates
    try {
      this.peer.signal(data as SimplePeer.SignalData);
    } catch (e) {
      // simple-peer throws synchronously for some bad candidates (RTCIceCandidate constructor).
      this.destroy(`bad signal: ${(e as Error).message}`);
      return;
    }
    if (data.type === 'answer') this.releaseCandidates();
  }

  /** Whether `sdp`, an offer naming this link, is an ICE restart of it (see ice-restart.ts). */
  isRestartOffer(sdp: string): boolean {
    return this.opened && !this.closed && this.recovery.isRestartOffer(sdp);
  }

  /** ICE restarts made on this link. */
  get iceRestarts(): number {
    return this.recovery.count;
  }

  /** Queues frames; false only when the link is not open. Unreliable frames may be dropped. */
  send(frames: readonly Frame[], kind: ChannelKind = 'reliable'): boolean {
    if (!this.isOpen) return false;
    const writer = this.writers.get(kind) ?? this.writers.get('reliable');
    if (!writer) return false;
    if (!writer.enqueue(frames) && kind === 'reliable') return false;
    return true;
  }

  destroy(reason = 'closed locally'): void {
    if (this.closed) return;
    this.closed = true;
    this.opened = false;
    this.closedBytesSent = this.bytesSent;
    this.closedMessagesSent = this.wireMessagesSent;
    this.liveness.stop();
    this.recovery.stop();
    for (const w of this.writers.values()) w.close();
    this.writers.clear();
    for (const r of this.reassemblers.values()) r.clear();
    for (const ch of this.channels.values()) {
      ch.onmessage = null;
      ch.onclose = null;
      ch.onerror = null;
      try {
        ch.close();
      } catch {
        // already closed
      }
    }
    this.channels.clear();
    this.peer.destroy();
    this.emit('close', reason);
  }

  private onPeerSignal(data: SimplePeer.SignalData): void {
    if (this.closed) return;
    let out: PeerSignal;
    if ((data.type === 'offer' || data.type === 'answer') && typeof data.sdp === 'string') {
      // While holding, the offer goes without candidates; they follow once the answer is in.
      out = { type: data.type, sdp: data.type === 'offer' && this.heldCandidates ? withoutCandidates(data.sdp) : data.sdp };
      if (data.type === 'answer') this.createUnreliableChannels();
    } else if (data.type === 'candidate' && 'candidate' in data) {
      const c = data.candidate;
      // libdatachannel writes the SDP attribute form ('a=candidate:...'); browsers expect the bare one.
      const line = c.candidate.startsWith('a=') ? c.candidate.slice(2) : c.candidate;
      const address = candidateAddress(line);
      if (address) this.gatheredAddresses.add(address);
      out = { type: 'candidate', candidate: { candidate: line, sdpMLineIndex: c.sdpMLineIndex, sdpMid: c.sdpMid } };
      if (this.heldCandidates) {
        this.heldCandidates.push(out);
        return;
      }
    } else {
      return; // renegotiate / transceiverRequest: never needed for data-only links
    }
    this.emit('signal', out);
  }

  private releaseCandidates(): void {
    const held = this.heldCandidates;
    this.heldCandidates = null;
    for (const c of held ?? []) if (!this.closed) this.emit('signal', c);
  }

  private onConnect(): void {
    if (this.closed || this.opened) return;
    const channel = this.seen.reliable;
    if (!channel) {
      this.destroy('connected without a data channel');
      return;
    }
    // Straight from the channel now, not through simple-peer's Buffer copy and Readable stream
    // (what arrived before came by its 'data' event, in order).
    channel.onmessage = (ev: MessageEvent) => this.onWire('reliable', ev.data);
    const defaults = writerDefaultsFor(maxWireBytesFor(this.seen.pc?.remoteDescription?.sdp));
    this.writers.set('reliable', this.makeWriter(channel, this.opts.reliableWriter, defaults.reliable));
    for (const [kind, ch] of this.channels) {
      this.writers.set(kind, this.makeWriter(ch, this.opts.unreliableWriter, defaults.unreliable));
    }
    this.opened = true;
    this.liveness.start();
    this.emit('open');
  }

  private iceServers(): RTCIceServer[] {
    const s = this.opts.iceServers;
    return (typeof s === 'function' ? s() : s) ?? [];
  }

  private sendHeartbeat(): void {
    // No readyState read first: a blocking native call on @roamhq/wrtc, and the heartbeat only
    // runs while the link is open. A channel closing underneath throws; its close ends the link.
    try {
      this.seen.reliable?.send(HEARTBEAT);
    } catch {
      // the channel is going away
    }
  }

  /** See Liveness: the reliable channel's buffer went down since the last call. */
  private outboundDrained(): boolean {
    const buffered = this.seen.reliable?.bufferedAmount ?? 0;
    const drained = buffered < this.lastBuffered;
    this.lastBuffered = buffered;
    return drained;
  }

  private onStalled(): void {
    if (this.closed) return;
    this.emit('stalled');
    this.recovery.stalled();
  }

  private onAlive(): void {
    if (this.closed) return;
    this.recovery.stop();
    this.emit('alive');
  }

  private makeWriter(
    channel: RTCDataChannel,
    opts: ChannelWriterOptions | undefined,
    defaults: ResolvedWriterOptions,
  ): ChannelWriter {
    return new ChannelWriter(channel as unknown as WritableChannel, opts ?? {}, defaults, (err) =>
      this.destroy(`send failed: ${err.message}`),
    );
  }

  private createUnreliableChannels(): void {
    if (this.channels.size > 0 || this.unreliableFallback) return;
    const pc = this.seen.pc;
    if (!pc) return;
    try {
      this.addChannel(pc, 'unreliable-ordered', { negotiated: true, id: UNRELIABLE_ORDERED_CHANNEL_ID, ordered: true, maxRetransmits: 0 });
      this.addChannel(pc, 'unreliable-unordered', { negotiated: true, id: UNRELIABLE_UNORDERED_CHANNEL_ID, ordered: false, maxRetransmits: 0 });
    } catch {
      // A stack without negotiated channels: unreliable frames ride the reliable channel.
      for (const ch of this.channels.values()) ch.close();
      this.channels.clear();
      this.unreliableFallback = true;
    }
  }

  private addChannel(pc: RTCPeerConnection, kind: ChannelKind, init: RTCDataChannelInit): void {
    const ch = pc.createDataChannel(`${OWN_LABEL}${kind}`, init);
    if (!ch) throw new Error('createDataChannel returned nothing');
    ch.binaryType = 'arraybuffer';
    ch.onmessage = (ev: MessageEvent) => this.onWire(kind, ev.data);
    ch.onclose = () => this.destroy(`${kind} channel closed`);
    ch.onerror = () => this.destroy(`${kind} channel error`);
    this.channels.set(kind, ch);
  }

  private onWire(kind: ChannelKind, raw: unknown): void {
    if (this.closed) return;
    const bytes = toBytes(raw);
    if (!bytes) {
      this.dropMalformed('non-binary message');
      return;
    }
    this.liveness.heard();
    if (isHeartbeat(bytes)) return;
    this.bytesReceived += bytes.byteLength;
    const decoded = this.reassemblers.get(kind)!.decode(bytes);
    if (decoded === null) return;
    if (!decoded.ok) this.dropMalformed(decoded.error);
    else if (decoded.frames.length > 0) this.emit('frames', decoded.frames, kind);
  }

  private dropMalformed(error: string): void {
    this.malformed++;
    this.emit('malformed', error);
    if (this.malformed > (this.opts.maxMalformedMessages ?? 32)) this.destroy('too many malformed messages');
  }
}
