// rtc:signal: WebRTC set-up data (simple-peer offers, answers, candidates) forwarded between two
// users who already have a reason to talk: they share a room, or one sent the other a P2P
// message through the relay (contacts). Anything else is refused, so the signaling server cannot
// be used to make arbitrary users open connections.
import { UserMessageSendResult } from '../../shared/codes.js';
import { isValidId } from '../../shared/limits.js';
import { MALFORMED_CODE, type CodeReply } from '../../shared/protocol.js';
import { userRoom, type ServerContext } from '../context.js';
import { senderCharge } from '../limits/charges.js';
import type { Handler } from './guard.js';

/** Signals per second one user may send; set-up needs a few dozen per link at most. */
export const RTC_SIGNALS_PER_SECOND = 200;
/** Largest serialized signal; SDP offers are a few KiB. */
export const MAX_SIGNAL_BYTES = 64 * 1024;

async function sharesRoom(ctx: ServerContext, appId: string, a: string, b: string): Promise<boolean> {
  const [roomsA, roomsB] = await Promise.all([ctx.store.listUserRooms(appId, a), ctx.store.listUserRooms(appId, b)]);
  const setB = new Set(roomsB);
  return roomsA.some((r) => setB.has(r));
}

export const rtcSignalHandler: Handler<'rtc:signal'> = {
  async run(ctx, _socket, req, s): Promise<CodeReply> {
    if (req.to === '') return { code: UserMessageSendResult.EmptyUser };
    if (!isValidId(req.to)) return { code: UserMessageSendResult.NoReceiver };
    if (Buffer.byteLength(JSON.stringify(req.signal)) > MAX_SIGNAL_BYTES) return { code: MALFORMED_CODE };
    if (!ctx.limiter.tryCharge([senderCharge(s.appId, s.uid, 'rtc', RTC_SIGNALS_PER_SECOND)])) {
      return { code: UserMessageSendResult.ExceedQPS };
    }
    const related =
      (await ctx.store.areContacts(s.appId, s.uid, req.to)) || (await sharesRoom(ctx, s.appId, s.uid, req.to));
    if (!related) return { code: UserMessageSendResult.NoReceiver };
    const target = await ctx.store.getSession(s.appId, req.to);
    if (!target) return { code: UserMessageSendResult.NoReceiver };
    if (!target.connected) return { code: UserMessageSendResult.NoRelayPath };
    if (!(await ctx.deliver(() => ctx.io.to(userRoom(s.appId, req.to)).emit('rtc:signal', { from: s.uid, signal: req.signal })))) {
      return { code: UserMessageSendResult.NetworkDisconnected };
    }
    ctx.counters.rtcSignals++;
    ctx.metrics.rtcSignals.inc();
    return { code: 0 };
  },
};
