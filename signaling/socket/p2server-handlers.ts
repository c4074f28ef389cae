// server:params and server:message: the socket side of P2Server (domain/p2server.ts).
import { MALFORMED_CODE } from '../../shared/protocol.js';
import { isAllowedServerUrl, serverMessage } from '../domain/p2server.js';
import type { Handler } from './guard.js';

/** server:params success code (SPEC: onServerParamsSetResult(200)). */
export const SERVER_PARAMS_OK = 200;

export const serverParamsHandler: Handler<'server:params'> = {
  async run(ctx, _socket, req, s) {
    if (!isAllowedServerUrl(req.url, ctx.options.p2server.allowList)) {
      ctx.log.debug({ uid: s.uid, url: req.url }, 'server:params: url refused');
      return { code: MALFORMED_CODE };
    }
    await ctx.store.setServerParams(s.appId, s.sessionId, { signature: req.signature, url: req.url });
    return { code: SERVER_PARAMS_OK };
  },
};

export const serverMessageHandler: Handler<'server:message'> = {
  run: (ctx, _socket, req, s) => serverMessage(ctx, s, req),
  settle(ctx, reply) {
    ctx.metrics.serverMessages.inc({ code: String(reply.code) });
    return reply;
  },
  // An app server taking seconds must not hold up this socket's relayed frames.
  concurrent: true,
};
