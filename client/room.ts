// RTSRoom: one room of an engine (SPEC §2–3). Membership comes from the server (join reply and
// room events); messages go through the engine's messaging layer.
import {
  CallError, MessageConfig, RoomErrorCode, RoomMessageSendResult, UserMessageSendResult, UserOfflineReason,
} from '../shared/codes.js';
import { payloadBytes, type Limits } from '../shared/limits.js';
import type { MemberInfo } from '../shared/protocol.js';
import { CallbackSource } from './callbacks.js';
import type { Connection } from './connection.js';
import type { Messenger, Payload } from './messaging/messenger.js';
import { RTSRoomPromises } from './promises.js';
import type { SendGate } from './send-gate.js';
import type { Phase } from './session.js';
import type { Logger } from './base-types.js';
import type { LeaveRoomStats, RTSRoomEventHandler, RTSRoomEvents } from './events.js';

/** What a room needs from its engine. */
export interface RoomHost {
  readonly logger: Logger;
  readonly messenger: Messenger;
  /** The engine's msgIds, pre-send checks and rates. */
  readonly sends: SendGate;
  uid(): string;
  phase(): Phase;
  /** Resolves true once a login in progress succeeded, false when it failed. */
  whenLoggedIn(): Promise<boolean>;
  request: Connection['request'];
  /** room:leave now, or after the reconnect when the connection is down. */
  leaveOnServer(roomId: string): void;
  limits(): Readonly<Limits>;
  /** How long the server waits before announcing a dropped user (from the login reply). */
  dropGraceMs(): number;
  destroyed(): boolean;
  forget(room: RTSRoom): void;
}

type RoomState = 'idle' | 'joining' | 'joined' | 'rejoining' | 'destroyed';

const JOIN_ATTEMPTS = 3;
const JOIN_RETRY_MS = 500;

export class RTSRoom extends CallbackSource<RTSRoomEvents> {
  /**
   * The Promise form of joinRoom, leaveRoom and every send: `await room.promises.joinRoom()`,
   * `await room.promises.sendRoomMessage(text)`; the callbacks fire as before (see RTS.promises).
   */
  readonly promises: RTSRoomPromises = new RTSRoomPromises(this);
  private state: RoomState = 'idle';
  private readonly memberInfo = new Map<string, string>();
  private extraInfo = '';
  private joinStartedAt = 0;
  private joinedAt = 0;
  private readonly counters = { sentMessages: 0, receivedMessages: 0, sentBytes: 0, receivedBytes: 0 };
  /**
   * Members missing from our rejoin reply after a reconnect: probably reconnecting too (after a
   * server restart everybody rejoins in turn). They stay members until the server's drop grace
   * period is over without them coming back.
   */
  private readonly presumedBack = new Map<string, ReturnType<typeof setTimeout>>();
  /** Member events that arrived before our join reply: applied right after it. */
  private earlyEvents: Array<{ joined: MemberInfo } | { left: string; reason: number }> = [];
  /** Bumped by every join/leave so a late join reply knows it is stale. */
  private generation = 0;

  constructor(private readonly id: string, private readonly host: RoomHost) {
    super(host.logger);
  }

  get roomId(): string {
    return this.id;
  }

  /** True while joined (also while rejoining after a reconnect). */
  get joined(): boolean {
    return this.state === 'joined' || this.state === 'rejoining';
  }

  /** Other members, as last told by the server. */
  get members(): string[] {
    return [...this.memberInfo.keys()];
  }

  setRTSRoomDelegate(handler: RTSRoomEventHandler | null | undefined): number {
    if (this.state === 'destroyed') return CallError.NotReady;
    this.events.handler = handler ?? null;
    return 0;
  }

  /** 0 = joining (result in onRoomStateChanged), -1 not logged in / destroyed, -2 extraInfo not a string or over 200 bytes. */
  joinRoom(userExtraInfo: string = ''): number {
    if (this.state === 'destroyed' || this.host.destroyed()) return CallError.NotReady;
    if (typeof userExtraInfo !== 'string' || payloadBytes(userExtraInfo) > this.host.limits().maxExtraInfoBytes) {
      return CallError.BadArgument;
    }
    if (this.host.phase() === 'out') return CallError.NotReady;
    if (this.state !== 'idle') return 0;
    this.state = 'joining';
    this.extraInfo = userExtraInfo;
    this.joinStartedAt = Date.now();
    void this.runJoin(false);
    return 0;
  }

  leaveRoom(): number {
    if (this.state === 'destroyed') return CallError.NotReady;
    if (this.state === 'idle') return 0;
    const stats = this.leaveStats();
    this.endMembership();
    this.host.leaveOnServer(this.id);
    this.events.fire('onLeaveRoom', stats);
    return 0;
  }

  destroy(): number {
    if (this.state === 'destroyed') return 0;
    this.leaveRoom();
    this.state = 'destroyed';
    this.host.forget(this);
    this.events.removeAllListeners();
    this.events.handler = null;
    return 0;
  }

  sendRoomMessage(text: string): number {
    return typeof text === 'string' ? this.broadcast(text) : CallError.BadArgument;
  }

  sendRoomBinaryMessage(bytes: Uint8Array): number {
    return bytes instanceof Uint8Array ? this.broadcast(bytes.slice()) : CallError.BadArgument;
  }

  sendUserMessage(uid: string, text: string, config?: MessageConfig): number {
    return typeof text === 'string' ? this.sendToUser(uid, text, config) : CallError.BadArgument;
  }

  sendUserBinaryMessage(uid: string, bytes: Uint8Array, config?: MessageConfig): number {
    return bytes instanceof Uint8Array ? this.sendToUser(uid, bytes.slice(), config) : CallError.BadArgument;
  }

  // ---- called by the engine -----------------------------------------------------------------

  /** The connection dropped: stay joined, rejoin when it is back. */
  onDropped(): void {
    if (this.state === 'joined') this.state = 'rejoining';
  }

  /** Logged in again after a drop: rejoin (others see onUserJoined again; we get join_type 1). */
  onResumed(): void {
    if (this.state === 'rejoining' || this.state === 'joining') {
      this.joinStartedAt = Date.now();
      void this.runJoin(this.state === 'rejoining');
    }
  }

  /** The login session ended (logout, displaced, lost): the room is left. */
  onSessionEnded(): void {
    if (this.state === 'idle' || this.state === 'destroyed') return;
    const stats = this.leaveStats();
    this.endMembership();
    this.events.fire('onLeaveRoom', stats);
  }

  onUserJoined(info: MemberInfo): void {
    if (info.uid === this.host.uid()) return;
    if (this.awaitingReply()) {
      this.earlyEvents.push({ joined: info });
      return;
    }
    if (!this.joined) return;
    this.clearPresumed(info.uid);
    this.memberInfo.set(info.uid, info.extraInfo);
    this.host.messenger.memberJoined(this.id, info.uid);
    this.events.fire('onUserJoined', { uid: info.uid, extraInfo: info.extraInfo }, Date.now() - this.joinedAt);
  }

  onUserLeft(uid: string, reason: number): void {
    if (this.awaitingReply()) {
      this.earlyEvents.push({ left: uid, reason });
      return;
    }
    this.clearPresumed(uid);
    if (!this.memberInfo.delete(uid)) return;
    this.host.messenger.memberLeft(this.id, uid);
    this.events.fire('onUserLeave', uid, reason);
  }

  /** The server ended our membership: -1004 joined elsewhere, -1006 kicked, -1011 dismissed. */
  onClosed(code: number): void {
    if (this.state === 'idle' || this.state === 'destroyed') return;
    this.endMembership();
    this.events.fire('onRoomStateChanged', this.id, this.host.uid(), code, '{}');
  }

  /** Frames of this room are welcome while joined and while the join is under way. */
  acceptsFrames(): boolean {
    return this.state === 'joined' || this.state === 'rejoining' || this.state === 'joining';
  }

  deliver(kind: 'broadcast' | 'user', from: string, data: Payload): void {
    this.counters.receivedMessages++;
    this.counters.receivedBytes += payloadBytes(data);
    if (kind === 'broadcast') {
      if (typeof data === 'string') this.events.fire('onRoomMessageReceived', from, data);
      else this.events.fire('onRoomBinaryMessageReceived', from, data);
    } else if (typeof data === 'string') {
      this.events.fire('onUserMessageReceived', from, data);
    } else {
      this.events.fire('onUserBinaryMessageReceived', from, data);
    }
  }

  // ---- internals ----------------------------------------------------------------------------

  private async runJoin(rejoin: boolean): Promise<void> {
    const generation = ++this.generation;
    const stale = (): boolean => generation !== this.generation || this.state === 'idle' || this.state === 'destroyed';
    if (this.host.phase() === 'logging-in' && !(await this.host.whenLoggedIn())) {
      if (!stale()) this.failJoin(RoomErrorCode.JoinFailed);
      return;
    }
    for (let attempt = 1; attempt <= JOIN_ATTEMPTS; attempt++) {
      if (stale()) return;
      if (this.host.phase() === 'reconnecting') return; // onResumed() tries again
      const result = await this.host.request('room:join', { roomId: this.id, extraInfo: this.extraInfo, rejoin });
      if (stale()) {
        // Left while the join was on its way: undo it on the server.
        if (result.ok && result.reply.code === 0) this.host.leaveOnServer(this.id);
        return;
      }
      if (result.ok) {
        const { code, members } = result.reply;
        if (code === RoomErrorCode.Joined) this.onJoinReply(members, rejoin);
        else this.failJoin(code <= -1000 ? code : RoomErrorCode.JoinFailed);
        return;
      }
      if (this.host.phase() === 'reconnecting') return;
      if (attempt < JOIN_ATTEMPTS) {
        this.events.fire('onRoomStateChanged', this.id, this.host.uid(), RoomErrorCode.WarnJoinRetrying, '{}');
        await new Promise((r) => setTimeout(r, JOIN_RETRY_MS * attempt));
      }
    }
    if (!stale()) this.failJoin(RoomErrorCode.JoinFailed);
  }

  private onJoinReply(members: MemberInfo[], rejoin: boolean): void {
    const self = this.host.uid();
    const now = Date.now();
    const before = new Map(this.memberInfo);
    const after = new Map(members.filter((m) => m.uid !== self).map((m) => [m.uid, m.extraInfo] as const));
    this.state = 'joined';
    if (!rejoin) this.joinedAt = now;
    for (const [uid, extraInfo] of before) {
      if (after.has(uid) || this.presumedBack.has(uid)) continue;
      after.set(uid, extraInfo);
      const timer = setTimeout(() => {
        this.presumedBack.delete(uid);
        this.onUserLeft(uid, UserOfflineReason.Dropped);
      }, this.host.dropGraceMs());
      (timer as { unref?: () => void }).unref?.();
      this.presumedBack.set(uid, timer);
    }
    this.memberInfo.clear();
    for (const [uid, info] of after) this.memberInfo.set(uid, info);
    this.host.messenger.roomJoined(this.id, after.keys());
    const extra = JSON.stringify({ elapsed: now - this.joinStartedAt, join_type: rejoin ? 1 : 0 });
    this.events.fire('onRoomStateChanged', this.id, self, RoomErrorCode.Joined, extra);
    for (const [uid, extraInfo] of after) {
      if (!before.has(uid)) this.events.fire('onUserJoined', { uid, extraInfo }, now - this.joinedAt);
    }
    // Events the server sent while our join was on its way (they raced the reply).
    const early = this.earlyEvents;
    this.earlyEvents = [];
    for (const ev of early) {
      if ('joined' in ev) {
        if (!this.memberInfo.has(ev.joined.uid)) this.onUserJoined(ev.joined);
      } else {
        this.onUserLeft(ev.left, ev.reason);
      }
    }
  }

  /** Joining or rejoining: the member list comes with the reply, events before it must wait. */
  private awaitingReply(): boolean {
    return this.state === 'joining' || this.state === 'rejoining';
  }

  private failJoin(code: number): void {
    this.endMembership();
    this.events.fire('onRoomStateChanged', this.id, this.host.uid(), code, '{}');
  }

  private clearPresumed(uid: string): void {
    const timer = this.presumedBack.get(uid);
    if (timer) clearTimeout(timer);
    this.presumedBack.delete(uid);
  }

  private endMembership(): void {
    this.generation++;
    this.earlyEvents = [];
    for (const uid of [...this.presumedBack.keys()]) this.clearPresumed(uid);
    if (this.state !== 'destroyed') this.state = 'idle';
    this.memberInfo.clear();
    this.host.messenger.roomLeft(this.id, RoomMessageSendResult.NotJoin);
  }

  private leaveStats(): LeaveRoomStats {
    const duration = this.joinedAt > 0 && this.joined ? Math.round((Date.now() - this.joinedAt) / 1000) : 0;
    return { roomId: this.id, duration, ...this.counters };
  }

  private broadcast(data: Payload): number {
    if (this.state === 'destroyed' || this.host.destroyed()) return CallError.NotReady;
    const result = (msgId: number, code: number): void => this.events.fire('onRoomMessageSendResult', msgId, code);
    return this.host.sends.submit(result, () => ({ blocked: this.joined ? null : this.notInRoom(), data, rate: 'broadcast' }), (msgId) => {
      this.countSent(data);
      this.host.messenger.sendRoom(this.id, data, msgId, (code) => result(msgId, code));
    });
  }

  /** A broadcast while not in the room: warned in onRoomStateChanged, then refused with NotJoin. */
  private notInRoom(): number {
    this.events.fire('onRoomStateChanged', this.id, this.host.uid(), RoomErrorCode.WarnNotInRoom, '{}');
    return RoomMessageSendResult.NotJoin;
  }

  private sendToUser(uid: string, data: Payload, config: MessageConfig = MessageConfig.ReliableOrdered): number {
    if (typeof uid !== 'string' || !isMessageConfig(config)) return CallError.BadArgument;
    if (this.state === 'destroyed' || this.host.destroyed()) return CallError.NotReady;
    const result = (msgId: number, code: number): void => this.events.fire('onUserMessageSendResult', msgId, code);
    const to = { uid, reachable: (member: string) => this.memberInfo.has(member) };
    return this.host.sends.submit(result, () => ({ blocked: this.joined ? null : UserMessageSendResult.NotJoin, to, data, rate: 'p2p' }), (msgId) => {
      this.countSent(data);
      this.host.messenger.sendUser(uid, this.id, data, config, msgId, (code) => result(msgId, code));
    });
  }

  private countSent(data: Payload): void {
    this.counters.sentMessages++;
    this.counters.sentBytes += payloadBytes(data);
  }
}

export function isMessageConfig(v: unknown): v is MessageConfig {
  return v === MessageConfig.ReliableOrdered || v === MessageConfig.UnreliableOrdered || v === MessageConfig.UnreliableUnordered;
}
