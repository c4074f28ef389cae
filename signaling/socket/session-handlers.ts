// Login state of a socket: login (with duplicate-login displacement and same-session resume),
// logout, token:update, presence:query, and what a disconnect does (the drop grace period).
import { LoginErrorCode, UserMessageSendResult, UserOfflineReason, UserOnlineStatus } from '../../shared/codes.js';
import { isValidId } from '../../shared/limits.js';
import {
  LoginRequest,
  MALFORMED_CODE,
  PresenceRequest,
  TokenUpdateRequest,
  type CodeReply,
  type LoginReply,
} from '../../shared/protocol.js';
import { verifyToken } from '../../shared/token.js';
import { z } from 'zod';
import { roomRoom, sessionRoom, userKey, userRoom, type ServerContext, type SignalingSocket, type SocketSession } from '../context.js';
import { guardEvent } from './guard.js';
import { displaceSession, endSession } from '../domain/membership.js';

const LogoutRequest = z.unknown();

/** The room a token restricts its session to, or undefined for a login token or `*`. */
function allowedRoomOf(tokenRoomId: string): string | undefined {
  return tokenRoomId === '' || tokenRoomId === '*' ? undefined : tokenRoomId;
}

export function registerSessionHandlers(ctx: ServerContext, socket: SignalingSocket): void {
  const malformed = { code: MALFORMED_CODE };
  const busy = { code: UserMessageSendResult.ExceedQPS };

  guardEvent(socket, ctx.log, 'login', LoginRequest, { malformed, busy, failure: { code: LoginErrorCode.ServerError } }, async (req) => {
    const reply = await login(ctx, socket, req);
    ctx.metrics.logins.inc({ code: String(reply.code) });
    return reply;
  });

  guardEvent(socket, ctx.log, 'logout', LogoutRequest, { malformed, busy, failure: { code: UserMessageSendResult.Unknown } }, async () => {
    await logoutSocket(ctx, socket);
    return { code: 0 };
  });

  guardEvent(
    socket, ctx.log, 'token:update', TokenUpdateRequest,
    { malformed, busy, failure: { code: LoginErrorCode.ServerError } },
    async (req): Promise<CodeReply> => {
      const s = socket.data.session;
      if (!s) return { code: LoginErrorCode.LoginFailed };
      const app = ctx.options.apps.get(s.appId)!;
      const check = verifyToken(req.token, { appId: app.appId, appKey: app.appKey, userId: s.uid });
      if (!check.ok) return { code: LoginErrorCode.InvalidToken };
      s.allowedRoom = allowedRoomOf(check.payload.roomId);
      return { code: 0 };
    },
  );

  guardEvent(
    socket, ctx.log, 'presence:query', PresenceRequest,
    { malformed: { ...malformed, status: 0 }, busy: { ...busy, status: 0 }, failure: { code: UserMessageSendResult.Unknown, status: 0 } },
    async (req) => {
      const s = socket.data.session;
      if (!s) return { code: UserMessageSendResult.NotLogin, status: UserOnlineStatus.Offline };
      if (!isValidId(req.uid)) return { code: LoginErrorCode.InvalidUserId, status: UserOnlineStatus.Offline };
      const target = await ctx.store.getSession(s.appId, req.uid);
      const status = !target ? UserOnlineStatus.Offline : target.connected ? UserOnlineStatus.Online : UserOnlineStatus.Unreachable;
      return { code: 0, status };
    },
  );

  // Through the socket's queue, so a login still being handled finishes before its disconnect.
  socket.on('disconnect', () => {
    socket.data.queue.push(() => onDisconnect(ctx, socket));
  });
}

async function login(ctx: ServerContext, socket: SignalingSocket, req: LoginRequest): Promise<LoginReply> {
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
    socket.join([userRoom(appId, uid), sessionRoom(appId, sessionId)]);
    if (resumed) {
      for (const roomId of await ctx.store.listUserRooms(appId, uid)) {
        const member = await ctx.store.getMember(appId, roomId, uid);
        if (member?.sessionId === sessionId) socket.join(roomRoom(appId, roomId));
      }
    }
    ctx.log.debug({ appId, uid, sessionId, resumed }, 'logged in');
    return { code: LoginErrorCode.Success, limits: { ...ctx.options.limits }, dropGraceMs: ctx.options.dropGraceMs, serverTime: Date.now() };
  });
}

/** Ends the socket's session at once: rooms are left with Quit. Idempotent. */
export async function logoutSocket(ctx: ServerContext, socket: SignalingSocket): Promise<void> {
  const s = socket.data.session;
  if (!s) return;
  socket.data.session = undefined;
  await ctx.locks.run(userKey(s.appId, s.uid), async () => {
    const record = await ctx.store.getSession(s.appId, s.uid);
    if (record?.sessionId === s.sessionId) {
      ctx.dropGrace.cancel(s.appId, s.uid);
      await endSession(ctx, s.appId, s.uid, s.sessionId, UserOfflineReason.Quit);
    }
  });
  for (const room of [...socket.rooms]) if (room !== socket.id) socket.leave(room);
}

async function onDisconnect(ctx: ServerContext, socket: SignalingSocket): Promise<void> {
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
      ctx.log.debug({ uid, sessionId }, 'drop grace over: dropped');
      await endSession(ctx, appId, uid, sessionId, UserOfflineReason.Dropped);
    });
  } catch (e) {
    ctx.log.error({ err: e, uid }, 'dropping a session failed');
  }
}
