// room:join and room:leave: the socket side of domain/membership.ts.
import { RoomErrorCode, UserMessageSendResult, UserOfflineReason } from '../../shared/codes.js';
import { isValidId, payloadBytes } from '../../shared/limits.js';
import { MALFORMED_CODE, blankReply } from '../../shared/protocol.js';
import { roomRoom, userKey } from '../context.js';
import { joinRoom, removeFromRoom } from '../domain/membership.js';
import type { Handler } from './guard.js';

export const joinRoomHandler: Handler<'room:join'> = {
  async run(ctx, socket, req, s) {
    if (!isValidId(req.roomId)) return blankReply('room:join', RoomErrorCode.InvalidRoomId);
    if (payloadBytes(req.extraInfo) > ctx.options.limits.maxExtraInfoBytes) return blankReply('room:join', MALFORMED_CODE);
    if (s.allowedRoom !== undefined && s.allowedRoom !== req.roomId) return blankReply('room:join', RoomErrorCode.InvalidToken);
    const reply = await ctx.locks.run(userKey(s.appId, s.uid), () => joinRoom(ctx, socket, s, req.roomId, req.extraInfo));
    if (reply.code === RoomErrorCode.Joined) ctx.log.debug({ uid: s.uid, roomId: req.roomId, rejoin: req.rejoin, members: reply.members.length }, 'joined');
    return reply;
  },
};

export const leaveRoomHandler: Handler<'room:leave'> = {
  async run(ctx, socket, req, s) {
    if (!isValidId(req.roomId)) return { code: UserMessageSendResult.NotJoin };
    const left = await ctx.locks.run(userKey(s.appId, s.uid), () =>
      removeFromRoom(ctx, s.appId, req.roomId, s.uid, UserOfflineReason.Quit, { sessionId: s.sessionId }),
    );
    socket.leave(roomRoom(s.appId, req.roomId));
    return { code: left ? 0 : UserMessageSendResult.NotJoin };
  },
};
