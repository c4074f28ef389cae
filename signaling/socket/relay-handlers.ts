// relay:frame and relay:room: the server path for data frames when no direct link is up.
// The sender is always the socket's authenticated uid; nothing in the payload can change it.
// Frames are forwarded byte for byte after they were decoded and checked.
import { RoomMessageSendResult, UserMessageSendResult } from '../../shared/codes.js';
import { FrameType, broadcastStream, decodeFrames, encodeFrames, type Frame } from '../../shared/frame.js';
import { isValidId } from '../../shared/limits.js';
import { MALFORMED_CODE, type CodeReply, type ParsedRequest } from '../../shared/protocol.js';
import { roomRoom, userRoom, type ServerContext, type SocketSession } from '../context.js';
import { planBatch, type BatchPlan } from '../domain/relay-plan.js';
import { chargesFor, frameCharges } from '../limits/charges.js';
import type { Handler } from './guard.js';

const code = (c: number): CodeReply => ({ code: c });

/**
 * Refusals that only mean "the shared state does not know this (yet)". While it may be incomplete
 * (Redis just came back empty and the processes are writing their sessions again) they are
 * reported as NetworkDisconnected instead, which the client treats as passing and resends.
 */
const NOT_KNOWN_YET = new Set<number>([UserMessageSendResult.NoReceiver, UserMessageSendResult.NoRelayPath, UserMessageSendResult.NotJoin]);

/** Sees every reply: NOT_KNOWN_YET while degraded becomes NetworkDisconnected; refusals are counted. */
function settle(ctx: ServerContext, reply: CodeReply): CodeReply {
  if (NOT_KNOWN_YET.has(reply.code) && ctx.degraded()) reply = code(UserMessageSendResult.NetworkDisconnected);
  if (reply.code !== 0) ctx.metrics.relayRejections.inc({ code: String(reply.code) });
  if (reply.code === UserMessageSendResult.ExceedQPS) ctx.counters.relayExceedQps++;
  return reply;
}

/** Feeds the relay latency histogram (request to reply, checks and hand-over included). */
function timed(ctx: ServerContext, event: 'relay:frame' | 'relay:room', work: Promise<CodeReply>): Promise<CodeReply> {
  return work.finally(ctx.metrics.relaySeconds.startTimer({ event }));
}

export const relayFrameHandler: Handler<'relay:frame'> = { run: (ctx, _socket, req, s) => timed(ctx, 'relay:frame', relayFrame(ctx, s, req)), settle };
export const relayRoomHandler: Handler<'relay:room'> = { run: (ctx, _socket, req, s) => timed(ctx, 'relay:room', relayRoom(ctx, s, req)), settle };

async function relayFrame(ctx: ServerContext, s: SocketSession, req: ParsedRequest<'relay:frame'>): Promise<CodeReply> {
  if (req.to === '') return code(UserMessageSendResult.EmptyUser);
  if (!isValidId(req.to)) return code(UserMessageSendResult.NoReceiver);
  const decoded = decodeFrames(req.frame);
  if (!decoded.ok) {
    ctx.log.debug({ uid: s.uid, error: decoded.error }, 'relay:frame: bad frames');
    return code(MALFORMED_CODE);
  }
  const plan = planBatch(decoded.frames, ctx.options.limits);
  if (typeof plan === 'number') return code(plan);

  const related = await checkRelationship(ctx, s, req.to, plan);
  if (related !== 0) return code(related);

  const target = await ctx.store.getSession(s.appId, req.to);
  if (!target) return code(UserMessageSendResult.NoReceiver);
  if (!target.connected) return code(UserMessageSendResult.NoRelayPath);

  const charged = chargeBatch(ctx, s, decoded.frames, plan, req.frame);
  if (!charged) return code(UserMessageSendResult.ExceedQPS);
  // Messages outside rooms make the pair P2P contacts, which lets them set up a direct link.
  if (charged.plan.streams.some((u) => u.kind === 'user' && u.roomId === '' && u.messages > 0)) {
    await ctx.store.addContact(s.appId, s.uid, req.to, ctx.options.contactTtlMs);
  }
  // Never Success for a frame other processes will not see: the client retransmits on an error.
  if (!(await ctx.deliver(() => ctx.io.to(userRoom(s.appId, req.to)).emit('relay:frame', { from: s.uid, frame: charged.frame })))) {
    return code(UserMessageSendResult.NetworkDisconnected);
  }
  count(ctx, charged.plan, 1);
  return code(charged.plan === plan ? 0 : UserMessageSendResult.ExceedQPS);
}

/**
 * Share of a budget that resends may not take: after an outage the backlog an honest client
 * resends must not starve the new messages its own rate window lets through (those would fail
 * with ExceedQPS). Resends still count against the same SPEC §5 budget; they just go last.
 */
export const RESEND_RESERVE = 0.3;

/**
 * Charges the batch to its budgets: all of it, or — for a batch of nothing but resends — the
 * longest prefix that fits above RESEND_RESERVE (re-encoded), so a resent backlog drains at the
 * allowed rate; the sender hears ExceedQPS and resends the rest later. Undefined when nothing may go.
 */
function chargeBatch(
  ctx: ServerContext, s: SocketSession, frames: Frame[], plan: BatchPlan, bytes: Uint8Array,
): { plan: BatchPlan; frame: Uint8Array } | undefined {
  const { limits } = ctx.options;
  const reserve = plan.resendOnly ? RESEND_RESERVE : 0;
  if (ctx.limiter.tryCharge(chargesFor(s.appId, s.uid, plan, limits), Date.now(), reserve)) return { plan, frame: bytes };
  if (!plan.resendOnly) return undefined;
  const fits = ctx.limiter.chargePrefix(frameCharges(s.appId, s.uid, frames, limits), Date.now(), reserve);
  // The buckets may have refilled since the first try.
  if (fits === frames.length) return { plan, frame: bytes };
  const prefix = frames.slice(0, fits);
  if (!prefix.some((f) => f.t === FrameType.Message)) return undefined;
  return { plan: planBatch(prefix, limits) as BatchPlan, frame: encodeFrames(prefix) };
}

/**
 * Sender and target must be related through every stream of the batch: both members of the
 * room a room stream names; for acks outside rooms, P2P contacts. Returns 0 or the refusal code.
 */
async function checkRelationship(ctx: ServerContext, s: SocketSession, to: string, plan: BatchPlan): Promise<number> {
  const checkedRooms = new Set<string>();
  for (const use of plan.streams) {
    if (use.kind === 'user' && use.roomId === '') {
      const onlyAcks = use.messages === 0;
      if (onlyAcks && !(await ctx.store.areContacts(s.appId, s.uid, to))) return UserMessageSendResult.NoReceiver;
      continue;
    }
    if (checkedRooms.has(use.roomId)) continue;
    checkedRooms.add(use.roomId);
    if (!(await ctx.store.getMember(s.appId, use.roomId, s.uid))) return UserMessageSendResult.NotJoin;
    if (!(await ctx.store.getMember(s.appId, use.roomId, to))) return UserMessageSendResult.NoReceiver;
  }
  return 0;
}

async function relayRoom(ctx: ServerContext, s: SocketSession, req: ParsedRequest<'relay:room'>): Promise<CodeReply> {
  if (!isValidId(req.roomId)) return code(MALFORMED_CODE);
  const decoded = decodeFrames(req.frame);
  if (!decoded.ok) {
    ctx.log.debug({ uid: s.uid, error: decoded.error }, 'relay:room: bad frames');
    return code(MALFORMED_CODE);
  }
  // Only broadcast messages of this room: acks and user messages go to one user (relay:frame).
  const stream = broadcastStream(req.roomId);
  if (decoded.frames.some((f) => f.t !== FrameType.Message || f.st !== stream)) return code(MALFORMED_CODE);
  const plan = planBatch(decoded.frames, ctx.options.limits);
  if (typeof plan === 'number') return code(plan);

  if (!(await ctx.store.getMember(s.appId, req.roomId, s.uid))) return code(UserMessageSendResult.NotJoin);
  if (!ctx.limiter.tryCharge(chargesFor(s.appId, s.uid, plan, ctx.options.limits))) {
    return code(UserMessageSendResult.ExceedQPS);
  }
  // Only counted (stats): a count, not a copy of every member record on every broadcast.
  const recipients = await countRecipients(ctx, s, req.roomId, req.except);
  const delivered = await ctx.deliver(() =>
    ctx.io
      .to(roomRoom(s.appId, req.roomId))
      .except([userRoom(s.appId, s.uid), ...req.except.map((u) => userRoom(s.appId, u))])
      .emit('relay:frame', { from: s.uid, frame: req.frame }),
  );
  if (!delivered) return code(RoomMessageSendResult.NetworkDisconnected);
  count(ctx, plan, recipients);
  return code(0);
}

/**
 * Members reached by a broadcast: everyone but the sender and the `except` members. A statistic:
 * the member count less the except-list (the sender's view of its linked members), so a broadcast
 * costs one counter read, not a copy of every member record (a Redis round trip when scaled out).
 */
async function countRecipients(ctx: ServerContext, s: SocketSession, roomId: string, except: readonly string[]): Promise<number> {
  return Math.max(0, (await ctx.store.countMembers(s.appId, roomId)) - 1 - new Set(except).size);
}

function count(ctx: ServerContext, plan: BatchPlan, recipients: number): void {
  ctx.counters.relayedMessages += plan.messageFrames;
  ctx.counters.relayDeliveries += plan.messageFrames * recipients;
  ctx.counters.relayedFrames += plan.frames;
  ctx.counters.relayResentFrames += plan.resentFrames;
  ctx.counters.relayAckFrames += plan.ackFrames;
  ctx.metrics.relayedMessages.inc(plan.messageFrames);
  ctx.metrics.relayResentFrames.inc(plan.resentFrames);
  ctx.metrics.relayAckFrames.inc(plan.ackFrames);
  ctx.metrics.relayDeliveries.inc(plan.messageFrames * recipients);
  ctx.metrics.relayedFrames.inc(plan.frames);
}
