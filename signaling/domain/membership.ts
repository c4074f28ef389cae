// State changes shared by several handlers: a member leaving a room (leave, logout, drop, kick,
// duplicate login) and a session ending. Callers hold the uid's KeyedLock.
import { LogoutReason, RoomErrorCode, UserOfflineReason } from '../../shared/codes.js';
import { roomRoom, sessionRoom, userRoom, type ServerContext } from '../context.js';
import type { SessionRecord } from '../store/types.js';

export interface RemoveOptions {
  /** Only remove the membership of this session. */
  sessionId?: string;
  /** Tell the removed session why with room:closed (-1004, -1006). */
  closedCode?: RoomErrorCode;
}

/** Removes uid from the room; others get room:user-left with `reason`. Returns whether it was a member. */
export async function removeFromRoom(
  ctx: ServerContext,
  appId: string,
  roomId: string,
  uid: string,
  reason: UserOfflineReason,
  opts: RemoveOptions = {},
): Promise<boolean> {
  const removed = await ctx.store.removeMember(appId, roomId, uid, opts.sessionId);
  if (!removed) return false;
  const room = roomRoom(appId, roomId);
  const session = sessionRoom(appId, removed.sessionId);
  if (opts.closedCode !== undefined) ctx.io.to(session).emit('room:closed', { roomId, code: opts.closedCode });
  ctx.io.in(session).socketsLeave(room);
  ctx.io.to(room).except(userRoom(appId, uid)).emit('room:user-left', { roomId, uid, reason });
  return true;
}

/**
 * Ends a session: it leaves every room (others get `reason`), and its presence, contacts and
 * P2Server params are forgotten.
 */
export async function endSession(
  ctx: ServerContext,
  appId: string,
  uid: string,
  sessionId: string,
  reason: UserOfflineReason,
  closedCode?: RoomErrorCode,
): Promise<void> {
  for (const roomId of await ctx.store.listUserRooms(appId, uid)) {
    await removeFromRoom(ctx, appId, roomId, uid, reason, { sessionId, closedCode });
  }
  await ctx.store.deleteSession(appId, uid, sessionId);
  await ctx.store.clearContacts(appId, uid);
  await ctx.store.deleteServerParams(appId, sessionId);
}

/**
 * A newer login of the same uid replaces `old` (SPEC §9 DuplicateLogin): the old session gets
 * room:closed -1004 for each of its rooms (others see Quit), then session:kicked, then its sockets
 * are disconnected by the server. Its sessionId stays refused for a while so the old engine, reconnecting,
 * does not kick the new one in turn.
 */
export async function displaceSession(ctx: ServerContext, old: SessionRecord): Promise<void> {
  const { appId, uid, sessionId } = old;
  ctx.log.info({ appId, uid, sessionId }, 'duplicate login: displacing the earlier session');
  ctx.dropGrace.cancel(appId, uid);
  await ctx.store.addDisplacedSession(appId, sessionId, ctx.options.displacedSessionTtlMs);
  await endSession(ctx, appId, uid, sessionId, UserOfflineReason.Quit, RoomErrorCode.JoinedElsewhere);
  const session = sessionRoom(appId, sessionId);
  ctx.io.to(session).emit('session:kicked', { reason: LogoutReason.DuplicateLogin });
  // Not `close`: the client then sees an 'io server disconnect' and does not reconnect by itself.
  ctx.io.in(session).disconnectSockets();
}
