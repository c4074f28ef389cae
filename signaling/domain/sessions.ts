// The life of a session: login (with duplicate-login displacement and same-session resume), logout,
// a disconnect (the drop grace period starts) and the drop when the grace is over.
import { LoginErrorCode, LogoutReason, RoomErrorCode, UserOfflineReason, UserOnlineStatus } from '../../shared/codes.js';
import { isValidId } from '../../shared/limits.js';
import { PROTOCOL_VERSION, type CodeReply, type LoginReply, type ParsedRequest } from '../../shared/protocol.js';
import { verifyToken } from '../../shared/token.js';
import { roomRoom, sessionRoom, userKey, userRoom, type ServerContext, type SignalingSocket, type SocketSession } from '../context.js';
import type { SessionRecord } from '../store/types.js';
import { mintIceServers, type IceServer } from './ice-servers.js';
import { removeFromRoom } from './membership.js';

/** The room a token restricts its session to, or undefined for a login token or `*`. */
function allowedRoomOf(tokenRoomId: string): string | undefined {
  return tokenRoomId === '' || tokenRoomId === '*' ? undefined : tokenRoomId;
}

export async function login(ctx: ServerContext, socket: SignalingSocket, req: ParsedRequest<'login'>): Promise<LoginReply> {
  if ((req.protocol ?? 1) !== PROTOCOL_VERSION) {
    ctx.log.info({ uid: req.uid, protocol: req.protocol, sdkVersion: req.sdkVersion }, 'login refused: protocol version');
    return { code: LoginErrorCode.LoginFailed };
  }
  const app = ctx.options.apps.get(req.appId);
  if (!app) return { code: LoginErrorCode.InvalidToken };
  if (!isValidId(req.uid)) return { code: LoginErrorCode.InvalidUserId };
  const check = verifyToken(req.token, { appId: app.appId, appKey: app.appKey, userId: req.uid });
  if (!check.ok) {
    ctx.log.debug({ uid: req.uid, reason: check.reason }, 'login refused: token');
    return { code: LoginErrorCode.InvalidToken };
  }

  const current = socket.data.session;
  if (current && (current.appId !== app.appId || current.uid !== req.uid || current.sessionId !== req.sessionId)) {
    // One socket, one identity: switching to another one ends the first as a logout would.
    await logoutSocket(ctx, socket);
  }

  const { appId } = app;
  const { uid, sessionId } = req;
  return ctx.locks.run(userKey(appId, uid), async (): Promise<LoginReply> => {
    if (await ctx.store.isDisplacedSession(appId, sessionId)) {
      return { code: LoginErrorCode.LoginFailed, displaced: true };
    }
    if (!socket.connected) return { code: LoginErrorCode.LoginFailed };

    const existing = await ctx.store.getSession(appId, uid);
    const resumed = existing?.sessionId === sessionId;
    if (existing && !resumed) {
      await displaceSession(ctx, existing);
    } else if (existing) {
      ctx.dropGrace.cancel(appId, uid);
      // A reconnect that arrived before the server noticed the old socket was gone.
      if (existing.socketId !== socket.id) ctx.io.in(existing.socketId).disconnectSockets(true);
    }

    await ctx.store.putSession({ appId, uid, sessionId, socketId: socket.id, nodeId: ctx.nodeId, connected: true, since: Date.now() });
    const session: SocketSession = { appId, uid, sessionId, allowedRoom: allowedRoomOf(check.payload.roomId) };
    socket.data.session = session;
    ctx.loginGate.release(socket);
    socket.join([userRoom(appId, uid), sessionRoom(appId, sessionId)]);
    if (resumed) {
      for (const roomId of await ctx.store.listUserRooms(appId, uid)) {
        const member = await ctx.store.getMember(appId, roomId, uid);
        if (member?.sessionId === sessionId) socket.join(roomRoom(appId, roomId));
      }
    }
    ctx.log.debug({ appId, uid, sessionId, resumed }, 'logged in');
    return {
      code: LoginErrorCode.Success, limits: { ...ctx.options.limits }, dropGraceMs: ctx.options.dropGraceMs, serverTime: Date.now(), ...iceFor(ctx, uid),
    };
  });
}

/** The ICE servers `uid` gets now (TURN credentials minted for it), in reply fields. */
export function iceFor(ctx: ServerContext, uid: string): { iceServers?: IceServer[]; iceExpiresAtMs?: number } {
  if (!ctx.options.ice) return {};
  const minted = mintIceServers(ctx.options.ice, uid);
  return { iceServers: minted.iceServers, iceExpiresAtMs: minted.expiresAtMs };
}

/** A new token for a logged-in session (it may move the session's room restriction). */
export function updateToken(ctx: ServerContext, session: SocketSession, token: string): CodeReply {
  const app = ctx.options.apps.get(session.appId)!;
  const check = verifyToken(token, { appId: app.appId, appKey: app.appKey, userId: session.uid });
  if (!check.ok) return { code: LoginErrorCode.InvalidToken };
  session.allowedRoom = allowedRoomOf(check.payload.roomId);
  return { code: 0 };
}

/** Login state of any user of the app (not room state); in drop grace it is Unreachable. */
export async function onlineStatus(ctx: ServerContext, appId: string, uid: string): Promise<UserOnlineStatus> {
  const target = await ctx.store.getSession(appId, uid);
  return !target ? UserOnlineStatus.Offline : target.connected ? UserOnlineStatus.Online : UserOnlineStatus.Unreachable;
}

/** Ends the socket's session at once: rooms are left with Quit. Idempotent. */
export async function logoutSocket(ctx: ServerContext, socket: SignalingSocket): Promise<void> {
  const s = socket.data.session;
  if (!s) return;
  socket.data.session = undefined;
  ctx.log.info({ appId: s.appId, uid: s.uid }, 'logout');
  await ctx.locks.run(userKey(s.appId, s.uid), async () => {
    const record = await ctx.store.getSession(s.appId, s.uid);
    if (record?.sessionId === s.sessionId) {
      ctx.dropGrace.cancel(s.appId, s.uid);
      await endSession(ctx, s.appId, s.uid, s.sessionId, UserOfflineReason.Quit);
    }
  });
  for (const room of [...socket.rooms]) if (room !== socket.id) socket.leave(room);
}

/** The socket is gone: its session waits in drop grace for the client to come back. */
export async function sessionDisconnected(ctx: ServerContext, socket: SignalingSocket): Promise<void> {
  ctx.loginGate.release(socket);
  // A join that raced the disconnect could have re-added the socket to a room.
  ctx.io.of('/').adapter.delAll(socket.id);
  const s = socket.data.session;
  if (!s) return;
  await ctx.locks.run(userKey(s.appId, s.uid), async () => {
    if (await ctx.store.markDisconnected(s.appId, s.uid, s.sessionId, socket.id)) {
      ctx.log.debug({ uid: s.uid, sessionId: s.sessionId }, 'disconnected: drop grace started');
      ctx.dropGrace.start(s.appId, s.uid, s.sessionId, socket.id);
    }
  });
}

/** DropGrace expiry: the session did not come back in time. */
export async function dropSession(ctx: ServerContext, appId: string, uid: string, sessionId: string, socketId: string): Promise<void> {
  try {
    await ctx.locks.run(userKey(appId, uid), async () => {
      const record = await ctx.store.getSession(appId, uid);
      if (!record || record.sessionId !== sessionId || record.socketId !== socketId || record.connected) return;
      ctx.log.info({ appId, uid }, 'dropped: the connection did not come back within the grace period');
      await endSession(ctx, appId, uid, sessionId, UserOfflineReason.Dropped);
    });
  } catch (e) {
    ctx.log.error({ err: e, uid }, 'dropping a session failed');
  }
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
