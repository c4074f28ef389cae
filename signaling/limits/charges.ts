// What each kind of traffic costs against the rate limiter (SPEC §5): the budget keys and rates
// of a sender and of a room. Every socket handler that charges a sender takes its key from here.
import type { Limits } from '../../shared/limits.js';
import type { BatchPlan } from '../domain/relay-plan.js';
import type { Charge } from './rate-limiter.js';

/** Retransmissions get their own budget, this many times the P2P rate (see frame.ts `x`). */
export const RETRANSMIT_FACTOR = 10;
/** Acks cost no message budget but are capped at this many times the P2P rate against floods. */
export const ACK_FLOOD_FACTOR = 20;

const senderKey = (appId: string, uid: string, budget: string): string => `u\n${appId}${uid}\n${budget}`;
const roomKey = (appId: string, roomId: string): string => `r\n${appId}${roomId}`;

/**
 * What a batch costs (SPEC §5): user messages the sender's P2P budget; broadcasts the sender's
 * broadcast budget and the room's total; retransmissions and acks their own larger budgets.
 */
export function chargesFor(appId: string, uid: string, plan: BatchPlan, limits: Readonly<Limits>): Charge[] {
  const charges: Charge[] = [];
  for (const s of plan.streams) {
    if (s.kind === 'user') {
      charges.push({ key: senderKey(appId, uid, 'p2p'), perSecond: limits.p2pPerSecond, count: s.messages });
    } else {
      charges.push({ key: senderKey(appId, uid, 'broadcast'), perSecond: limits.roomBroadcastPerSecond, count: s.messages });
      charges.push({ key: roomKey(appId, s.roomId), perSecond: limits.roomTotalPerSecond, count: s.messages });
    }
    charges.push({ key: senderKey(appId, uid, 'retransmit'), perSecond: limits.p2pPerSecond * RETRANSMIT_FACTOR, count: s.retransmits });
    charges.push({ key: senderKey(appId, uid, 'ack'), perSecond: limits.p2pPerSecond * ACK_FLOOD_FACTOR, count: s.acks });
  }
  return charges;
}

/** A per-sender budget outside the frame relay (rtc:signal, server:message). */
export function senderCharge(appId: string, uid: string, budget: string, perSecond: number): Charge {
  return { key: senderKey(appId, uid, budget), perSecond, count: 1 };
}
