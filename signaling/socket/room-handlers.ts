// room:join and room:leave. A room exists while it has members; membership lives in the Store,
// delivery goes through the socket.io room `roomRoom(appId, roomId)`.
import { LoginErrorCode, RoomErrorCode, UserMessageSendResult, UserOfflineReason } from '../../shared/codes.js';
import { isValidId, payloadBytes } from '../../shared/limits.js';
import { JoinRoomRequest, LeaveRoomRequest, MALFORMED_CODE, type CodeReply, type JoinRoomReply } from '../../shared/protocol.js';
import { roomRoom, sessionRoom, userKey, userRoom, type ServerContext, type SignalingSocket } from '../context.js';
import { guardEvent } from './guard.js';
import { removeFromRoom } from '../domain/membership.js';

export function registerRoomHandlers(ctx: ServerContext, socket: SignalingSocket): void {

  guardEvent(
    socket, ctx.log, 'room:join', JoinRoomRequest,
    { malformed: { code: MALFORMED_CODE, members: [] }, busy: { code: UserMessageSendResult.ExceedQPS, members: [] }, failure: { code: RoomErrorCode.JoinFailed, members: [] } },
    async (req): Promise<JoinRoomReply> => {
      const s = socket.data.session;
      if (!s) return { code: LoginErrorCode.LoginFailed, members: [] };
      if (!isValidId(req.roomId)) return { code: RoomErrorCode.InvalidRoomId, members: [] };
      if (payloadBytes(req.extraInfo) > ctx.options.limits.maxExtraInfoBytes) return { code: MALFORMED_CODE, members: [] };
      if (s.allowedRoom !== undefined && s.allowedRoom !== req.roomId) return { code: RoomErrorCode.InvalidToken, members: [] };
      const { appId, uid, sessionId } = s;
      const { roomId, extraInfo } = req;

      return ctx.locks.run(userKey(appId, uid), async (): Promise<JoinRoomReply> => {
        // Displaced or logged out while waiting for the lock.
        if (socket.data.session !== s || !socket.connected) return { code: RoomErrorCode.JoinFailed, members: [] };
        const previous = await ctx.store.putMember(appId, roomId, { uid, sessionId, extraInfo, joinedAt: Date.now() });
        const room = roomRoom(appId, roomId);
        if (previous && previous.sessionId !== sessionId) {
          // The same uid is in this room through another session (SPEC §9): that one is kicked.
          const old = sessionRoom(appId, previous.sessionId);
          ctx.io.to(old).emit('room:closed', { roomId, code: RoomErrorCode.JoinedElsewhere });
          ctx.io.in(old).socketsLeave(room);
        }
        socket.join(room);
        const members = (await ctx.store.listMembers(appId, roomId))
          .filter((m) => m.uid !== uid)
          .map((m) => ({ uid: m.uid, extraInfo: m.extraInfo }));
        // Also on a rejoin: others get onUserJoined again after a reconnect (SPEC §9).
        ctx.io.to(room).except(userRoom(appId, uid)).emit('room:user-joined', { roomId, uid, extraInfo });
        ctx.log.debug({ uid, roomId, rejoin: req.rejoin, members: members.length }, 'joined');
        return { code: RoomErrorCode.Joined, members };
      });
    },
  );

  guardEvent(
    socket, ctx.log, 'room:leave', LeaveRoomRequest,
    { malformed: { code: MALFORMED_CODE }, busy: { code: UserMessageSendResult.ExceedQPS }, failure: { code: UserMessageSendResult.Unknown } } as { malformed: CodeReply; busy: CodeReply; failure: CodeReply },
    async (req): Promise<CodeReply> => {
      const s = socket.data.session;
      if (!s) return { code: UserMessageSendResult.NotLogin };
      if (!isValidId(req.roomId)) return { code: UserMessageSendResult.NotJoin };
      const left = await ctx.locks.run(userKey(s.appId, s.uid), () =>
        removeFromRoom(ctx, s.appId, req.roomId, s.uid, UserOfflineReason.Quit, { sessionId: s.sessionId }),
      );
      socket.leave(roomRoom(s.appId, req.roomId));
      return { code: left ? 0 : UserMessageSendResult.NotJoin };
    },
  );
}
