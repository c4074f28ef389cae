// Room membership: joining, and a member leaving a room (leave, logout, drop, kick, duplicate
// login). A room exists while it has members; membership lives in the Store, delivery goes
// through the socket.io room `roomRoom(appId, roomId)`. Callers hold the uid's KeyedLock.
import { RoomErrorCode, UserOfflineReason } from '../../shared/codes.js';
import type { JoinRoomReply, MemberInfo } from '../../shared/protocol.js';
import { roomRoom, sessionRoom, userRoom, type ServerContext, type SignalingSocket, type SocketSession } from '../context.js';

/**
 * Adds the session to the room and returns the others present, in join order. The same uid in
 * this room through another session is kicked (-1004, SPEC §9); everyone else gets
 * room:user-joined, also on a rejoin (others see onUserJoined again after a reconnect).
 */
export async function joinRoom(
  ctx: ServerContext,
  socket: SignalingSocket,
  s: SocketSession,
  roomId: string,
  extraInfo: string,
): Promise<JoinRoomReply> {
  const { appId, uid, sessionId } = s;
  // Displaced or logged out while waiting for the lock.
  if (socket.data.session !== s || !socket.connected) return { code: RoomErrorCode.JoinFailed, members: [] };
  const previous = await ctx.store.putMember(appId, roomId, { uid, sessionId, extraInfo, joinedAt: Date.now() });
  const room = roomRoom(appId, roomId);
  if (previous && previous.sessionId !== sessionId) {
    const old = sessionRoom(appId, previous.sessionId);
    ctx.io.to(old).emit('room:closed', { roomId, code: RoomErrorCode.JoinedElsewhere });
    ctx.io.in(old).socketsLeave(room);
  }
  socket.join(room);
  const members: MemberInfo[] = (await ctx.store.listMembers(appId, roomId))
    .filter((m) => m.uid !== uid)
    .map((m) => ({ uid: m.uid, extraInfo: m.extraInfo }));
  ctx.io.to(room).except(userRoom(appId, uid)).emit('room:user-joined', { roomId, uid, extraInfo });
  ctx.log.info({ appId, uid, roomId, members: members.length }, 'joined room');
  return { code: RoomErrorCode.Joined, members };
}

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
  ctx.log.info({ appId, uid, roomId, reason: UserOfflineReason[reason] ?? reason, closedCode: opts.closedCode }, 'left room');
  return true;
}
