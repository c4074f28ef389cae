// What every send goes through before anything leaves (SPEC §2, §5): the engine's one msgId
// sequence, and the pre-send checks in one order for every kind of message — sender state,
// receiver, size, rate — with the code each refusal reports. The codes are the same numbers in
// UserMessageSendResult and RoomMessageSendResult.
import { UserMessageSendResult } from '../shared/codes.js';
import { isValidId, payloadBytes, type Limits } from '../shared/limits.js';
import type { Payload } from './messaging/frames.js';
import { SlidingWindow } from './rate-window.js';

/** Which per-second limit a send counts against. */
export type RateKind = 'p2p' | 'broadcast' | 'server';

export interface SendCheck {
  /** Why the sender cannot send now (NotLogin, NotJoin, NetworkDisconnected…), or null. */
  blocked: number | null;
  /** A user message's receiver: '' is EmptyUser; an invalid uid or one `reachable` refuses, NoReceiver. */
  to?: { uid: string; reachable(uid: string): boolean };
  data: Payload;
  rate: RateKind;
}

export class SendGate {
  private lastMsgId = 0;
  private readonly rates: Record<RateKind, SlidingWindow>;

  constructor(private readonly limits: () => Readonly<Limits>) {
    this.rates = {
      p2p: new SlidingWindow(() => limits().p2pPerSecond),
      broadcast: new SlidingWindow(() => limits().roomBroadcastPerSecond),
      server: new SlidingWindow(() => limits().serverMessagePerSecond),
    };
  }

  /**
   * A send as every API method makes it: its msgId at once; the checks and `send` after the call
   * has returned (results never arrive inside the call). A refused send reports its code
   * through `refuse` and sends nothing.
   */
  submit(refuse: (msgId: number, code: number) => void, check: () => SendCheck, send: (msgId: number) => void): number {
    const msgId = ++this.lastMsgId;
    queueMicrotask(() => {
      const code = this.check(check());
      if (code === null) send(msgId);
      else refuse(msgId, code);
    });
    return msgId;
  }

  /** The code a send is refused with, or null when it may go (its rate slot is then taken). */
  check({ blocked, to, data, rate }: SendCheck): number | null {
    if (blocked !== null) return blocked;
    if (to) {
      if (to.uid === '') return UserMessageSendResult.EmptyUser;
      if (!isValidId(to.uid) || !to.reachable(to.uid)) return UserMessageSendResult.NoReceiver;
    }
    if (payloadBytes(data) > this.limits().maxMessageBytes) return UserMessageSendResult.ExceedMaxLength;
    if (!this.rates[rate].tryTake()) return UserMessageSendResult.ExceedQPS;
    return null;
  }
}
