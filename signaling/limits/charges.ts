// What each kind of traffic costs against the rate limiter (SPEC §5): the budget keys and rates
// of a sender and of a room. Every socket handler that charges a sender takes its key from here.
import { FrameType, parseStream, type Frame } from '../../shared/frame.js';
import type { Limits } from '../../shared/limits.js';
import type { BatchPlan, StreamUse } from '../domain/relay-plan.js';
import type { Charge } from './rate-limiter.js';

/** Acks cost no message budget but are capped at this many times the P2P rate against floods. */
export const ACK_FLOOD_FACTOR = 20;

const senderKey = (appId: string, uid: string, budget: string): string => `u\n${appId}${uid}\n${budget}`;
const roomKey = (appId: string, roomId: string): string => `r\n${appId}${roomId}`;

/** What `messages` message frames and `acks` acks on one stream cost. */
function streamCharges(
  appId: string, uid: string, use: Pick<StreamUse, 'kind' | 'roomId' | 'messages' | 'acks'>, limits: Readonly<Limits>, charges: Charge[] = [],
): Charge[] {
  if (use.kind === 'user') {
    charges.push({ key: senderKey(appId, uid, 'p2p'), perSecond: limits.p2pPerSecond, count: use.messages });
  } else {
    charges.push({ key: senderKey(appId, uid, 'broadcast'), perSecond: limits.roomBroadcastPerSecond, count: use.messages });
    charges.push({ key: roomKey(appId, use.roomId), perSecond: limits.roomTotalPerSecond, count: use.messages });
  }
  charges.push({ key: senderKey(appId, uid, 'ack'), perSecond: limits.p2pPerSecond * ACK_FLOOD_FACTOR, count: use.acks });
  return charges;
}

/**
 * What a batch costs (SPEC §5): user messages the sender's P2P budget; broadcasts the sender's
 * broadcast budget and the room's total — resends (x:1) included, like first sends; acks their
 * own larger budget.
 */
export function chargesFor(appId: string, uid: string, plan: BatchPlan, limits: Readonly<Limits>): Charge[] {
  // A loop into one array, not flatMap: this runs on every relayed batch.
  const charges: Charge[] = [];
  for (const s of plan.streams) streamCharges(appId, uid, s, limits, charges);
  return charges;
}

/** The cost of each frame on its own, in batch order (for forwarding the part of a batch that fits). */
export function frameCharges(appId: string, uid: string, frames: readonly Frame[], limits: Readonly<Limits>): Charge[][] {
  return frames.map((f) => {
    const parsed = parseStream(f.st)!;
    const message = f.t === FrameType.Message ? 1 : 0;
    return streamCharges(appId, uid, { kind: parsed.kind, roomId: parsed.roomId, messages: message, acks: 1 - message }, limits);
  });
}

/** A per-sender budget outside the frame relay (rtc:signal, server:message). */
export function senderCharge(appId: string, uid: string, budget: string, perSecond: number): Charge {
  return { key: senderKey(appId, uid, budget), perSecond, count: 1 };
}
