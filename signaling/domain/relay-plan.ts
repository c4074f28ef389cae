// Reads a relayed batch of frames (shared/frame.ts) into what the relay must check and charge:
// which streams it touches, how many messages, retransmissions and acks each carries.
import { UserMessageSendResult } from '../../shared/codes.js';
import { FrameType, parseStream, type Frame } from '../../shared/frame.js';
import { isValidId, payloadBytes, type Limits } from '../../shared/limits.js';
import { MALFORMED_CODE } from '../../shared/protocol.js';
import type { Charge } from '../limits/rate-limiter.js';

export interface StreamUse {
  kind: 'user' | 'broadcast';
  /** '' for user messages outside rooms. */
  roomId: string;
  /** Message frames sent for the first time. */
  messages: number;
  /** Message frames with x:1 (resent after a path switch). */
  retransmits: number;
  acks: number;
}

export interface BatchPlan {
  streams: StreamUse[];
  /** All message frames, first sends and retransmissions. */
  messageFrames: number;
  frames: number;
}

/** Returns the plan, or the reply code for a batch that must be refused as a whole. */
export function planBatch(frames: readonly Frame[], limits: Readonly<Limits>): BatchPlan | number {
  if (frames.length === 0) return MALFORMED_CODE;
  const byStream = new Map<string, StreamUse>();
  let messageFrames = 0;
  for (const f of frames) {
    const parsed = parseStream(f.st);
    if (!parsed || (parsed.roomId !== '' && !isValidId(parsed.roomId))) return MALFORMED_CODE;
    let use = byStream.get(f.st);
    if (!use) byStream.set(f.st, (use = { ...parsed, messages: 0, retransmits: 0, acks: 0 }));
    if (f.t === FrameType.Message) {
      if (payloadBytes(f.d) > limits.maxMessageBytes) return UserMessageSendResult.ExceedMaxLength;
      messageFrames++;
      if (f.x === 1) use.retransmits++;
      else use.messages++;
    } else {
      use.acks++;
    }
  }
  return { streams: [...byStream.values()], messageFrames, frames: frames.length };
}

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
