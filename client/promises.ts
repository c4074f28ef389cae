// The Promise form of every engine and room method that reports through a callback (SPEC §1):
// `await rts.promises.login(token, uid)`, `await room.promises.sendRoomMessage(text)`. Each one
// calls the vendor method of the same name — so the callbacks fire exactly as before — and
// settles from that call's own result: sends by their msgId, never by "the next callback".
// A refusal rejects with an RTSError carrying the same code the callback reports.
import {
  CallError, LoginErrorCode, RoomErrorCode, RoomMessageSendResult, UserMessageSendResult,
  type LogoutReason, type MessageConfig, type UserOnlineStatus,
} from '../shared/codes.js';
import type { LeaveRoomStats, RTSEvents, RTSRoomEvents } from './events.js';

/** A method that reports through a callback was refused; `code` is what the callback reports. */
export class RTSError extends Error {
  override readonly name = 'RTSError';

  constructor(
    /** The method, e.g. 'sendMessage'. */
    readonly operation: string,
    /** The code (CallError for a call that could not be made, else the callback's code). */
    readonly code: number,
    /** The msgId of a send that was made and then failed. */
    readonly msgId?: number,
  ) {
    super(`${operation} failed: ${codeName(code)} (${code})`);
  }
}

function codeName(code: number): string {
  for (const names of [CallError, UserMessageSendResult, RoomErrorCode, LoginErrorCode] as Array<Record<number, string>>) {
    if (typeof names[code] === 'string') return names[code];
  }
  return 'code';
}

/** The listening half of an engine or room (CallbackSource). */
interface Listens<E> {
  on<K extends keyof E>(event: K, fn: E[K]): unknown;
  off<K extends keyof E>(event: K, fn: E[K]): unknown;
}

/** A send's result: the msgId the vendor method returned (and the app server's reply body). */
export interface SendResult {
  msgId: number;
}

/**
 * Settles sends by msgId: one listener per result event for all of them, registered at the
 * first send (a send's result never arrives inside the call that returned its msgId).
 */
class SendResults<E> {
  private readonly waiting = new Map<number, (code: number, body: string) => void>();
  private readonly listening = new Set<keyof E>();

  constructor(private readonly source: Listens<E>) {}

  /** Settles when `event` reports `msgId`: resolves on `success`, rejects with the code otherwise. */
  await(operation: string, event: keyof E, msgId: number, success: number): Promise<SendResult & { body: string }> {
    if (msgId < 0) return Promise.reject(new RTSError(operation, msgId));
    if (!this.listening.has(event)) {
      this.listening.add(event);
      const settle = (id: number, code: number, body = ''): void => {
        const done = this.waiting.get(id);
        this.waiting.delete(id);
        done?.(code, body);
      };
      this.source.on(event, settle as E[keyof E]);
    }
    return new Promise((resolve, reject) => {
      this.waiting.set(msgId, (code, body) => (code === success ? resolve({ msgId, body }) : reject(new RTSError(operation, code, msgId))));
    });
  }
}

type Outcome<T> = { ok: T } | { code: number } | undefined;

/** Runs `call` and settles from the first `event` that `settle` answers (undefined: not this call's). */
function once<E extends { [K in keyof E]: (...args: never[]) => void }, K extends keyof E, T>(
  source: Listens<E>, operation: string, event: K, call: () => number, settle: (...args: Parameters<E[K]>) => Outcome<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fn = ((...args: Parameters<E[K]>) => {
      const outcome = settle(...args);
      if (!outcome) return;
      source.off(event, fn);
      if ('ok' in outcome) resolve(outcome.ok);
      else reject(new RTSError(operation, outcome.code));
    }) as E[K];
    source.on(event, fn);
    const code = call();
    if (code < 0) {
      source.off(event, fn);
      reject(new RTSError(operation, code));
    }
  });
}

/** What the engine's Promise form calls: RTS's vendor methods. */
export interface EngineCalls extends Listens<RTSEvents> {
  login(token: string, uid: string): number;
  logout(): number;
  getPeerOnlineStatus(uid: string): number;
  setServerParams(signature: string, url: string): number;
  sendMessage(uid: string, text: string, config?: MessageConfig): number;
  sendBinaryMessage(uid: string, bytes: Uint8Array, config?: MessageConfig): number;
  sendUserMessageOutsideRoom(uid: string, text: string, config?: MessageConfig): number;
  sendUserBinaryMessageOutsideRoom(uid: string, bytes: Uint8Array, config?: MessageConfig): number;
  sendServerMessage(text: string): number;
  sendServerBinaryMessage(bytes: Uint8Array): number;
}

/**
 * `rts.promises`: the engine's callback-reporting methods as Promises. Each calls the method of
 * the same name (its callbacks fire as before) and resolves with its result, or rejects with an
 * RTSError whose `code` is the callback's code (or the call's negative code).
 */
export class RTSPromises {
  private readonly sends: SendResults<RTSEvents>;
  /** setServerParams calls waiting for their result, oldest first (results carry no id). */
  private paramsWaiting: Array<(code: number) => void> | null = null;

  constructor(private readonly rts: EngineCalls) {
    this.sends = new SendResults(rts);
  }

  /** Resolves once logged in (onLoginResult 0); rejects with the LoginErrorCode otherwise. */
  login(token: string, uid: string): Promise<{ elapsedMs: number }> {
    return once<RTSEvents, 'onLoginResult', { elapsedMs: number }>(this.rts, 'login', 'onLoginResult', () => this.rts.login(token, uid), (who, code, elapsedMs) => {
      if (who !== uid) return undefined;
      return code === LoginErrorCode.Success ? { ok: { elapsedMs } } : { code };
    });
  }

  /** Resolves with onLogout's reason. */
  logout(): Promise<{ reason: LogoutReason }> {
    return once<RTSEvents, 'onLogout', { reason: LogoutReason }>(this.rts, 'logout', 'onLogout', () => this.rts.logout(), (reason) => ({ ok: { reason } }));
  }

  /** Resolves with the status onGetPeerOnlineStatus reports for `uid`. */
  getPeerOnlineStatus(uid: string): Promise<UserOnlineStatus> {
    return once<RTSEvents, 'onGetPeerOnlineStatus', UserOnlineStatus>(this.rts, 'getPeerOnlineStatus', 'onGetPeerOnlineStatus', () => this.rts.getPeerOnlineStatus(uid),
      (who, status) => (who === uid ? { ok: status } : undefined));
  }

  /**
   * Resolves once the signaling server took the app server's parameters
   * (onServerParamsSetResult 200). Overlapping calls settle in call order.
   */
  setServerParams(signature: string, url: string): Promise<void> {
    if (!this.paramsWaiting) {
      const waiting: Array<(code: number) => void> = (this.paramsWaiting = []);
      this.rts.on('onServerParamsSetResult', (code) => waiting.shift()?.(code));
    }
    const code = this.rts.setServerParams(signature, url);
    if (code < 0) return Promise.reject(new RTSError('setServerParams', code));
    return new Promise((resolve, reject) => {
      this.paramsWaiting!.push((result) => (result === 200 ? resolve() : reject(new RTSError('setServerParams', result))));
    });
  }

  /** Resolves when the receiver acknowledged (onMessageSendResult 0). */
  sendMessage(uid: string, text: string, config?: MessageConfig): Promise<SendResult> {
    return this.p2p('sendMessage', this.rts.sendMessage(uid, text, config));
  }

  sendBinaryMessage(uid: string, bytes: Uint8Array, config?: MessageConfig): Promise<SendResult> {
    return this.p2p('sendBinaryMessage', this.rts.sendBinaryMessage(uid, bytes, config));
  }

  sendUserMessageOutsideRoom(uid: string, text: string, config?: MessageConfig): Promise<SendResult> {
    return this.p2p('sendUserMessageOutsideRoom', this.rts.sendUserMessageOutsideRoom(uid, text, config));
  }

  sendUserBinaryMessageOutsideRoom(uid: string, bytes: Uint8Array, config?: MessageConfig): Promise<SendResult> {
    return this.p2p('sendUserBinaryMessageOutsideRoom', this.rts.sendUserBinaryMessageOutsideRoom(uid, bytes, config));
  }

  /** Resolves with the app server's response body (onServerMessageSendResult 0). */
  sendServerMessage(text: string): Promise<SendResult & { body: string }> {
    return this.server('sendServerMessage', this.rts.sendServerMessage(text));
  }

  sendServerBinaryMessage(bytes: Uint8Array): Promise<SendResult & { body: string }> {
    return this.server('sendServerBinaryMessage', this.rts.sendServerBinaryMessage(bytes));
  }

  private async p2p(operation: string, msgId: number): Promise<SendResult> {
    const { body: _, ...result } = await this.sends.await(operation, 'onMessageSendResult', msgId, UserMessageSendResult.Success);
    return result;
  }

  private server(operation: string, msgId: number): Promise<SendResult & { body: string }> {
    return this.sends.await(operation, 'onServerMessageSendResult', msgId, UserMessageSendResult.Success);
  }
}

/** What a room's Promise form calls: RTSRoom's vendor methods. */
export interface RoomCalls extends Listens<RTSRoomEvents> {
  readonly roomId: string;
  readonly joined: boolean;
  joinRoom(userExtraInfo?: string): number;
  leaveRoom(): number;
  sendRoomMessage(text: string): number;
  sendRoomBinaryMessage(bytes: Uint8Array): number;
  sendUserMessage(uid: string, text: string, config?: MessageConfig): number;
  sendUserBinaryMessage(uid: string, bytes: Uint8Array, config?: MessageConfig): number;
}

/** `room.promises`: the room's callback-reporting methods as Promises (see RTSPromises). */
export class RTSRoomPromises {
  private readonly sends: SendResults<RTSRoomEvents>;

  constructor(private readonly room: RoomCalls) {
    this.sends = new SendResults(room);
  }

  /**
   * Resolves once joined (onRoomStateChanged 0) with its elapsed time and join type; rejects with
   * the room error code, or NotJoin (100) when the room is left before the join completed.
   * Warnings (-2xxx, e.g. retrying) do not settle it. Already joined: resolves at once.
   */
  joinRoom(userExtraInfo?: string): Promise<{ elapsedMs: number; joinType: number }> {
    const room = this.room;
    if (room.joined) return Promise.resolve({ elapsedMs: 0, joinType: 0 });
    return new Promise((resolve, reject) => {
      const done = (): void => {
        room.off('onRoomStateChanged', onState);
        room.off('onLeaveRoom', onLeft);
      };
      const onState: RTSRoomEvents['onRoomStateChanged'] = (_roomId, _uid, state, extraInfo) => {
        if (state <= -2000) return; // a warning: the join goes on
        done();
        if (state !== RoomErrorCode.Joined) return reject(new RTSError('joinRoom', state));
        const info = JSON.parse(extraInfo) as { elapsed: number; join_type: number };
        resolve({ elapsedMs: info.elapsed, joinType: info.join_type });
      };
      const onLeft = (): void => {
        done();
        reject(new RTSError('joinRoom', RoomMessageSendResult.NotJoin));
      };
      room.on('onRoomStateChanged', onState);
      room.on('onLeaveRoom', onLeft);
      const code = room.joinRoom(userExtraInfo);
      if (code < 0) {
        done();
        reject(new RTSError('joinRoom', code));
      }
    });
  }

  /** Resolves with onLeaveRoom's stats, or null when the room was not joined (nothing to leave). */
  leaveRoom(): Promise<LeaveRoomStats | null> {
    let stats: LeaveRoomStats | null = null;
    const fn = (s: LeaveRoomStats): void => void (stats = s);
    this.room.on('onLeaveRoom', fn);
    const code = this.room.leaveRoom();
    this.room.off('onLeaveRoom', fn);
    return code < 0 ? Promise.reject(new RTSError('leaveRoom', code)) : Promise.resolve(stats);
  }

  /** Resolves when every member acknowledged (onRoomMessageSendResult 200). */
  sendRoomMessage(text: string): Promise<SendResult> {
    return this.broadcast('sendRoomMessage', this.room.sendRoomMessage(text));
  }

  sendRoomBinaryMessage(bytes: Uint8Array): Promise<SendResult> {
    return this.broadcast('sendRoomBinaryMessage', this.room.sendRoomBinaryMessage(bytes));
  }

  /** Resolves when the member acknowledged (onUserMessageSendResult 0). */
  sendUserMessage(uid: string, text: string, config?: MessageConfig): Promise<SendResult> {
    return this.user('sendUserMessage', this.room.sendUserMessage(uid, text, config));
  }

  sendUserBinaryMessage(uid: string, bytes: Uint8Array, config?: MessageConfig): Promise<SendResult> {
    return this.user('sendUserBinaryMessage', this.room.sendUserBinaryMessage(uid, bytes, config));
  }

  private async broadcast(operation: string, msgId: number): Promise<SendResult> {
    const { body: _, ...result } = await this.sends.await(operation, 'onRoomMessageSendResult', msgId, RoomMessageSendResult.Success);
    return result;
  }

  private async user(operation: string, msgId: number): Promise<SendResult> {
    const { body: _, ...result } = await this.sends.await(operation, 'onUserMessageSendResult', msgId, UserMessageSendResult.Success);
    return result;
  }
}
