// Fake paths for unit tests of client/messaging: an in-process "network" with a relay that
// behaves like the signaling server's (ordered per sender, reliable while up, NoReceiver for
// unknown users, room fan-out with `except`) and WebRTC-like links that can be opened and broken
// while frames are in flight, with knobs to drop, duplicate and delay frames. Every frame crosses
// the real wire codec (encodeFrames/decodeFrames).
import { decodeFrames, encodeFrames, type Frame } from '../../shared/frame.js';
import { LinkLayer } from '../../client/link-layer.js';
import { Messenger } from '../../client/messaging/messenger.js';
import { TypedEmitter } from '../../client/typed-emitter.js';
import type {
  ChannelKind, LinkManager, LinkManagerEvents, LinkReason, RelayPath, RelayPathEvents,
} from '../../client/transport/types.js';
import type { Logger } from '../../client/types.js';

export const quietLogger: Logger = { warn: () => undefined, error: (...a) => console.error(...a) };

export interface FaultKnobs {
  /** Extra random delay (0..n ms) per relay frame batch. Ordered per sender→receiver anyway. */
  relayJitterMs: number;
  /** Random delay (0..n ms) per link batch (ordered per link). */
  linkJitterMs: number;
  /** Probability a delivered batch is delivered twice. */
  duplicate: number;
  /** Drops matching frames on every path (return true to drop). */
  dropIf: (from: string, to: string, frame: Frame, path: 'link' | 'relay') => boolean;
}

type Deliver = () => void;

/**
 * Delivers in order per key, each after a random delay: later sends never overtake earlier ones.
 * One queue and one timer per lane, not a timer per send: Node measures a timer from the event
 * loop's cached time, so two timers armed in one tick with delays computed from Date.now() could
 * fire out of order (a relay lane then broke the in-order promise socket.io keeps).
 */
class OrderedLane {
  private readonly queue: Array<{ at: number; fn: Deliver }> = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  schedule(jitterMs: number, fn: Deliver): void {
    const last = this.queue.length > 0 ? this.queue[this.queue.length - 1].at : 0;
    this.queue.push({ at: Math.max(Date.now() + Math.random() * jitterMs, last), fn });
    this.arm();
  }

  private arm(): void {
    if (this.timer !== null || this.queue.length === 0) return;
    this.timer = setTimeout(this.fire, Math.max(0, this.queue[0].at - Date.now()));
  }

  private readonly fire = (): void => {
    this.timer = null;
    const now = Date.now();
    while (this.queue.length > 0 && this.queue[0].at <= now) this.queue.shift()!.fn();
    this.arm();
  };
}

export class FakeNetwork {
  readonly nodes = new Map<string, FakeNode>();
  readonly rooms = new Map<string, Set<string>>();
  knobs: FaultKnobs = { relayJitterMs: 2, linkJitterMs: 2, duplicate: 0, dropIf: () => false };
  private readonly lanes = new Map<string, OrderedLane>();
  /** Link generation per pair: frames in flight on a broken link are lost. */
  private readonly linkEpoch = new Map<string, number>();
  private readonly openPairs = new Set<string>();
  readonly relayLog: Array<{ from: string; to: string; frames: Frame[]; room?: string }> = [];

  add(uid: string, opts: { links?: boolean; messageTimeoutMs?: number; resendAfterMs?: number } = {}): FakeNode {
    const node = new FakeNode(this, uid, opts);
    this.nodes.set(uid, node);
    return node;
  }

  remove(uid: string): void {
    this.nodes.get(uid)?.messenger.destroy();
    this.nodes.get(uid)?.linkLayer.destroy();
    this.nodes.delete(uid);
  }

  join(roomId: string, ...uids: string[]): void {
    let room = this.rooms.get(roomId);
    if (!room) this.rooms.set(roomId, (room = new Set()));
    for (const uid of uids) room.add(uid);
  }

  openLink(a: string, b: string): void {
    const key = pair(a, b);
    if (this.openPairs.has(key)) return;
    this.openPairs.add(key);
    this.linkEpoch.set(key, (this.linkEpoch.get(key) ?? 0) + 1);
    this.nodes.get(a)?.links?.setState(b, 'open');
    this.nodes.get(b)?.links?.setState(a, 'open');
  }

  breakLink(a: string, b: string, state: 'down' | 'closed' = 'down'): void {
    const key = pair(a, b);
    if (!this.openPairs.delete(key)) return;
    this.linkEpoch.set(key, (this.linkEpoch.get(key) ?? 0) + 1);
    this.nodes.get(a)?.links?.setState(b, state);
    this.nodes.get(b)?.links?.setState(a, state);
  }

  isLinkOpen(a: string, b: string): boolean {
    return this.openPairs.has(pair(a, b));
  }

  setRelayUp(uid: string, up: boolean): void {
    const node = this.nodes.get(uid);
    if (node) node.relay.up = up;
  }

  /** What the server does with relay:frame: NoReceiver when `to` is not connected. */
  relayTo(from: string, to: string, frames: Frame[]): number {
    const target = this.nodes.get(to);
    if (!target || !target.relay.up) return 3;
    this.relayLog.push({ from, to, frames });
    this.carry(`r:${from}>${to}`, this.knobs.relayJitterMs, from, to, frames, 'relay', () => true);
    return 0;
  }

  relayRoom(from: string, roomId: string, except: string[], frames: Frame[]): number {
    const room = this.rooms.get(roomId);
    if (!room?.has(from)) return 100;
    this.relayLog.push({ from, to: '*', frames, room: roomId });
    for (const to of room) {
      if (to === from || except.includes(to)) continue;
      const target = this.nodes.get(to);
      if (!target || !target.relay.up) continue;
      this.carry(`r:${from}>${to}`, this.knobs.relayJitterMs, from, to, frames, 'relay', () => true);
    }
    return 0;
  }

  linkSend(from: string, to: string, frames: Frame[], channel: ChannelKind): boolean {
    const key = pair(from, to);
    if (!this.openPairs.has(key)) return false;
    const epoch = this.linkEpoch.get(key);
    const laneKey = channel === 'unreliable-unordered' ? `lu:${from}>${to}:${Math.random()}` : `l:${from}>${to}:${channel}`;
    this.carry(laneKey, this.knobs.linkJitterMs, from, to, frames, 'link', () => this.linkEpoch.get(key) === epoch);
    return true;
  }

  private carry(laneKey: string, jitter: number, from: string, to: string, frames: Frame[], path: 'link' | 'relay', alive: () => boolean): void {
    const kept = frames.filter((f) => !this.knobs.dropIf(from, to, f, path));
    if (kept.length === 0) return;
    const wire = encodeFrames(kept);
    let lane = this.lanes.get(laneKey);
    if (!lane) this.lanes.set(laneKey, (lane = new OrderedLane()));
    const times = Math.random() < this.knobs.duplicate ? 2 : 1;
    for (let i = 0; i < times; i++) {
      lane.schedule(jitter, () => {
        if (!alive()) return;
        const target = this.nodes.get(to);
        if (!target) return;
        if (path === 'relay' && !target.relay.up) return;
        const decoded = decodeFrames(wire);
        if (!decoded.ok) throw new Error(decoded.error);
        if (path === 'relay') target.relay.emit('frames', from, decoded.frames);
        else target.links?.emit('frames', from, decoded.frames);
      });
    }
  }
}

const pair = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

export class FakeRelay extends TypedEmitter<RelayPathEvents> implements RelayPath {
  up = true;
  constructor(private readonly net: FakeNetwork, private readonly uid: string) {
    super();
  }
  isUp(): boolean {
    return this.up;
  }
  async sendTo(uid: string, frames: Frame[]): Promise<number> {
    if (!this.up) return 2;
    return this.net.relayTo(this.uid, uid, frames);
  }
  async sendRoom(roomId: string, except: string[], frames: Frame[]): Promise<number> {
    if (!this.up) return 2;
    return this.net.relayRoom(this.uid, roomId, except, frames);
  }
}

export class FakeLinkManager extends TypedEmitter<LinkManagerEvents> implements LinkManager {
  readonly wants: Array<[string, LinkReason, 'want' | 'unwant']> = [];
  readonly signals: Array<[string, Record<string, unknown>]> = [];
  destroyed = false;
  constructor(private readonly net: FakeNetwork, private readonly uid: string) {
    super();
  }
  setState(uid: string, state: 'connecting' | 'open' | 'down' | 'closed'): void {
    this.emit('state', uid, state);
  }
  isOpen(uid: string): boolean {
    return this.net.isLinkOpen(this.uid, uid);
  }
  want(uid: string, reason: LinkReason): void {
    this.wants.push([uid, reason, 'want']);
  }
  unwant(uid: string, reason: LinkReason): void {
    this.wants.push([uid, reason, 'unwant']);
  }
  send(uid: string, frames: Frame[], channel: ChannelKind = 'reliable'): boolean {
    return this.net.linkSend(this.uid, uid, frames, channel);
  }
  handleSignal(uid: string, signal: Record<string, unknown>): void {
    this.signals.push([uid, signal]);
  }
  stats(): { links: number; open: number; bytesSent: number; bytesReceived: number } {
    return { links: 0, open: 0, bytesSent: 0, bytesReceived: 0 };
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export interface Received {
  from: string;
  kind: 'broadcast' | 'user';
  roomId: string;
  data: string | Uint8Array;
}

export class FakeNode {
  readonly relay: FakeRelay;
  readonly links: FakeLinkManager | null;
  /** The engine's link layer over `links` (attached at once; never attached without links). */
  readonly linkLayer: LinkLayer;
  readonly messenger: Messenger;
  readonly received: Received[] = [];
  readonly results = new Map<number, number>();
  readonly signalsOut: Array<[string, Record<string, unknown>]> = [];
  readonly peerStates: Array<[string, string]> = [];
  /** Rooms this node accepts frames for. */
  readonly inRooms = new Set<string>();
  private nextMsgId = 1;

  constructor(net: FakeNetwork, readonly uid: string, opts: { links?: boolean; messageTimeoutMs?: number; resendAfterMs?: number }) {
    this.relay = new FakeRelay(net, uid);
    const links = (this.links = opts.links === false ? null : new FakeLinkManager(net, uid));
    this.linkLayer = new LinkLayer({
      logger: quietLogger,
      factory: () => (links ? () => links : null),
      context: () => ({ selfUid: uid, webrtc: undefined, iceServers: () => [], logger: quietLogger }),
      sendSignal: (to, signal) => this.signalsOut.push([to, signal]),
    });
    this.messenger = new Messenger({
      relay: this.relay,
      links: this.linkLayer,
      logger: quietLogger,
      messageTimeoutMs: () => opts.messageTimeoutMs ?? 30_000,
      resendAfterMs: () => opts.resendAfterMs ?? 300,
      acceptsRoom: (roomId) => this.inRooms.has(roomId),
    });
    this.linkLayer.attach();
    this.messenger.on('message', (from, kind, roomId, data) => this.received.push({ from, kind, roomId, data }));
    this.linkLayer.on('path', (peer, state) => this.peerStates.push([peer, state]));
  }

  sendUser(to: string, data: string | Uint8Array, roomId = '', config = 0): number {
    const msgId = this.nextMsgId++;
    this.messenger.sendUser(to, roomId, data, config, msgId, (code) => this.results.set(msgId, code));
    return msgId;
  }

  sendRoom(roomId: string, data: string | Uint8Array): number {
    const msgId = this.nextMsgId++;
    this.messenger.sendRoom(roomId, data, msgId, (code) => this.results.set(msgId, code));
    return msgId;
  }

  /** Joins on the fake server and in the messenger, with the given other members. */
  enterRoom(net: FakeNetwork, roomId: string, others: string[]): void {
    net.join(roomId, this.uid);
    this.inRooms.add(roomId);
    this.messenger.roomJoined(roomId, others);
  }

  texts(filter: (r: Received) => boolean = () => true): string[] {
    return this.received.filter(filter).map((r) => (typeof r.data === 'string' ? r.data : `<bin ${r.data.length}>`));
  }
}

export { waitClosely as waitFor } from './wait.js';

export { sleep } from './wait.js';
