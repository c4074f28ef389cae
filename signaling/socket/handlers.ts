// Which handler answers each client request of the shared REQUESTS table; the type makes a
// request without a handler a compile error.
import type { Handlers } from './guard.js';
import { serverMessageHandler, serverParamsHandler } from './p2server-handlers.js';
import { relayFrameHandler, relayRoomHandler } from './relay-handlers.js';
import { joinRoomHandler, leaveRoomHandler } from './room-handlers.js';
import { rtcSignalHandler } from './rtc-signal-handler.js';
import { iceServersHandler, loginHandler, logoutHandler, presenceHandler, tokenUpdateHandler } from './session-handlers.js';

export const HANDLERS: Handlers = {
  login: loginHandler,
  logout: logoutHandler,
  'token:update': tokenUpdateHandler,
  'presence:query': presenceHandler,
  'room:join': joinRoomHandler,
  'room:leave': leaveRoomHandler,
  'relay:frame': relayFrameHandler,
  'relay:room': relayRoomHandler,
  'rtc:signal': rtcSignalHandler,
  'server:params': serverParamsHandler,
  'server:message': serverMessageHandler,
  'ice:servers': iceServersHandler,
};
