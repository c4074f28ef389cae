// Graceful shutdown (SPEC §12): stop accepting, tell every client on this process that the server
// is going away (the SDK reconnects at once — to another process when scaled out — instead of
// waiting for its backoff), give them up to `drainMs` to leave, then close what is left.
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import type { SignalingIo } from '../context.js';

/** How often the drain looks whether every client has left. */
const DRAIN_POLL_MS = 25;

/** Resolves once no socket is left on this process or drainMs passed; returns how many were left. */
export async function drainClients(io: SignalingIo, httpServer: HttpServer, drainMs: number, log: Logger): Promise<number> {
  // Stop accepting: the listener closes, connections already open (the websockets) stay.
  if (httpServer.listening) httpServer.close();
  httpServer.closeIdleConnections();
  const sockets = io.of('/').sockets;
  const before = sockets.size;
  // Local only: with the Redis adapter a plain emit would reach every process's clients.
  io.local.emit('server:going-away', { reason: 'shutdown' });
  log.info({ clients: before, drainMs }, 'shutting down: clients told to reconnect, draining');
  const until = Date.now() + drainMs;
  while (sockets.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
  if (sockets.size > 0) log.info({ left: sockets.size }, 'drain bound reached: closing the remaining connections');
  return sockets.size;
}
