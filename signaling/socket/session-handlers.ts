// login, logout, token:update and presence:query: the socket side of domain/sessions.ts.
import { LoginErrorCode } from '../../shared/codes.js';
import { isValidId } from '../../shared/limits.js';
import { blankReply } from '../../shared/protocol.js';
import { iceFor, logoutSocket, login, onlineStatus, updateToken } from '../domain/sessions.js';
import type { Handler } from './guard.js';

export const loginHandler: Handler<'login'> = {
  async run(ctx, socket, req) {
    const started = performance.now();
    const reply = await login(ctx, socket, req);
    ctx.log.info({ appId: req.appId, uid: req.uid, code: reply.code }, 'login');
    ctx.metrics.loginSeconds.observe({ code: String(reply.code) }, (performance.now() - started) / 1000);
    return reply;
  },
  settle(ctx, reply) {
    ctx.metrics.logins.inc({ code: String(reply.code) });
    return reply;
  },
};

/** Answers 0 also when not logged in: logging out twice is no error. */
export const logoutHandler: Handler<'logout'> = {
  async run(ctx, socket) {
    await logoutSocket(ctx, socket);
    return { code: 0 };
  },
};

export const tokenUpdateHandler: Handler<'token:update'> = {
  run: (ctx, _socket, req, session) => updateToken(ctx, session, req.token),
};

export const presenceHandler: Handler<'presence:query'> = {
  async run(ctx, _socket, req, session) {
    if (!isValidId(req.uid)) return blankReply('presence:query', LoginErrorCode.InvalidUserId);
    return { code: 0, status: await onlineStatus(ctx, session.appId, req.uid) };
  },
};

/** Fresh ICE servers (new TURN credentials) for the logged-in user; the secret stays here. */
export const iceServersHandler: Handler<'ice:servers'> = {
  run: (ctx, _socket, _req, session) => ({ code: 0, serverTime: Date.now(), ...iceFor(ctx, session.uid) }),
};
