// Wiring: one HTTP server carrying socket.io (websocket only), the app-server REST API, metrics,
// static files and, in dev mode, a token endpoint.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { Server } from 'socket.io';
import { isValidId } from '../shared/limits.js';
import { socketParser } from '../shared/socket-parser.js';
import { createToken } from '../shared/token.js';
import type { Counters, ServerContext, SignalingIo, SignalingSocket } from './context.js';
import { DropGrace } from './domain/drop-grace.js';
import { sendJson, sendText } from './http/http-util.js';
import { createLogger } from './logger.js';
import { SignalingMetrics } from './http/metrics.js';
import { resolveOptions, type SignalingServerOptions } from './options.js';
import { LoginGate } from './limits/login-deadline.js';
import { handleOpsRoute, startMetricsListener, type OpsDeps } from './http/ops-endpoints.js';
import { drainClients } from './lifecycle/shutdown.js';
import { RateLimiter } from './limits/rate-limiter.js';
import { handleRestApi } from './http/rest-api.js';
import type { ScaleOut } from './scale-out/index.js';
import { KeyedLock } from './domain/serial.js';
import { dropSession, sessionDisconnected } from './domain/sessions.js';
import { preEncodeBroadcastFrames } from './socket/broadcast-frames.js';
import { attachSocket, createSocketListeners } from './socket/guard.js';
import { HANDLERS } from './socket/handlers.js';
import { handleClientBundle } from './http/client-bundle.js';
import { handleStatic } from './http/static-files.js';
import { MemoryStore } from './store/memory-store.js';
import type { Store } from './store/types.js';
import { SERVER_VERSION } from './version.js';

/** Large enough for a batch of frames: many small ones or one 64 KiB message with overhead. */
export const MAX_SOCKET_MESSAGE_BYTES = 4 * 1024 * 1024;
/** How long close() lets connections finish before cutting them. */
const CLOSE_GRACE_MS = 1000;

/** The counters of this process (see Counters) and its sockets right now. */
export interface SignalingStats extends Counters {
  /** Sockets connected to this process. */
  connections: number;
  /** Logged-in sockets on this process. */
  loggedIn: number;
  /** Sessions in their drop grace period on this process. */
  pendingDrops: number;
}

export interface SignalingServer {
  /** Where clients connect, e.g. http://127.0.0.1:8080 (a wildcard host is shown as loopback). */
  url: string;
  port: number;
  host: string;
  /** This process's id in SessionRecord.nodeId. */
  nodeId: string;
  /** 'memory', or 'redis' when `redis` was given (several processes share state). */
  storeKind: 'memory' | 'redis';
  version: string;
  store: Store;
  io: SignalingIo;
  httpServer: HttpServer;
  stats(): SignalingStats;
  /** Where /metrics is served separately (`metricsPort`), e.g. http://127.0.0.1:9090. */
  metricsUrl?: string;
  /** Disconnects every client, stops listening, and closes the store when it created it. */
  close(): Promise<void>;
  /**
   * Graceful close (what the CLI does on SIGTERM): stops accepting, tells every client it is going
   * away (they reconnect at once), waits up to `drainMs` (default options.drainMs) for them to
   * leave, then close().
   */
  shutdown(drainMs?: number): Promise<void>;
}

function urlFor(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

export async function createSignalingServer(opts: SignalingServerOptions): Promise<SignalingServer> {
  const options = resolveOptions(opts);
  const log = options.logger ?? createLogger(options.logLevel);
  const nodeId = randomUUID();
  // With Redis, the store, the adapter and the per-uid lock are shared by every process.
  // Loaded only when asked for: a single process never touches ioredis.
  const scaleOut: ScaleOut | undefined = options.redis
    ? await (await import('./scale-out/index.js')).startScaleOut(options.redis, options.scaleOut, nodeId, log)
    : undefined;
  const ownsStore = !options.store;
  const store = scaleOut?.store ?? options.store ?? new MemoryStore();
  const metrics = new SignalingMetrics();
  const counters: Counters = { relayedMessages: 0, relayDeliveries: 0, relayedFrames: 0, relayResentFrames: 0, relayAckFrames: 0, relayExceedQps: 0, rtcSignals: 0, serverMessages: 0, appMessages: 0 };
  const closing = new AbortController();
  // Every pending app-server request listens for the close; there may be many at once.
  setMaxListeners(0, closing.signal);
  const httpServer = createServer({
    requestTimeout: options.requestTimeoutMs,
    headersTimeout: options.headersTimeoutMs,
    // How often node enforces the two above (default 30 s: a stalled request would live ~twice as long).
    connectionsCheckingInterval: Math.min(1000, options.headersTimeoutMs),
  });
  const io: SignalingIo = new Server(httpServer, {
    transports: ['websocket'],
    maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
    serveClient: false,
    // One binary websocket message per packet, relay frames included (see socket-parser.ts).
    parser: socketParser,
    ...(scaleOut ? { adapter: scaleOut.adapter } : {}),
  });

  const ctx: ServerContext = {
    io,
    store,
    options,
    log,
    metrics,
    counters,
    limiter: new RateLimiter(),
    locks: scaleOut?.lock ?? new KeyedLock(),
    deliver: scaleOut
      ? (emit) => scaleOut.deliver(emit)
      : async (emit) => {
          emit();
          return true;
        },
    degraded: () => scaleOut?.degraded() ?? false,
    loginGate: new LoginGate(
      { deadlineMs: options.loginDeadlineMs, maxPerAddress: options.maxUnauthenticatedPerAddress, trustProxy: options.trustProxy }, metrics, log,
    ),
    dropGrace: new DropGrace(options.dropGraceMs, (appId, uid, sessionId, socketId) => dropSession(ctx, appId, uid, sessionId, socketId)),
    nodeId,
    closing: closing.signal,
  };
  scaleOut?.attach(ctx, io);
  if (!preEncodeBroadcastFrames(io.of('/').adapter)) log.warn('socket.io adapter without _encode: broadcasts are framed once per member');

  const stats = (): SignalingStats => {
    let loggedIn = 0;
    const sockets = io.of('/').sockets;
    for (const socket of sockets.values()) if (socket.data.session) loggedIn++;
    return { connections: sockets.size, loggedIn, ...counters, pendingDrops: ctx.dropGrace.pending };
  };

  // One listener set for all sockets: a connected client costs no closures of its own.
  const listeners = createSocketListeners(ctx, HANDLERS, sessionDisconnected);
  io.on('connection', (socket: SignalingSocket) => {
    if (ctx.loginGate.admit(socket)) attachSocket(socket, listeners);
  });

  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handleRequest(req, res).catch((err: unknown) => {
      log.error({ err, url: req.url }, 'HTTP request failed');
      if (!res.headersSent) sendText(res, 500, 'internal error\n');
      else res.destroy();
    });
  });

  let draining = false;
  const ops: OpsDeps = {
    ctx,
    draining: () => draining,
    refreshGauges: () => {
      const s = stats();
      metrics.connections.set(s.connections);
      metrics.loggedIn.set(s.loggedIn);
      metrics.unauthenticated.set(ctx.loginGate.pending);
    },
  };

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (await handleOpsRoute(ops, req, res, url)) return;
    if (options.dev && url.pathname === '/dev/token' && req.method === 'GET') {
      // Dev only: demo pages served from another origin may ask too.
      const cors = { 'access-control-allow-origin': '*' };
      const uid = url.searchParams.get('uid') ?? '';
      if (!isValidId(uid)) return sendJson(res, 400, { code: 'bad_request', message: 'uid must match [A-Za-z0-9_@.-]{1,128}' }, cors);
      const { appId, appKey } = options.firstApp;
      return sendJson(res, 200, { appId, token: createToken({ appId, appKey, userId: uid }) }, cors);
    }
    if (await handleRestApi(ctx, req, res, url)) return;
    if (await handleClientBundle({ bundlePath: options.bundlePath, version: SERVER_VERSION }, req, res, url)) return;
    if (await handleStatic(options, req, res, url)) return;
    sendText(res, 404, 'not found\n');
  }

  // Every TCP connection, so close() can cut the ones that do not end by themselves.
  const connections = new Set<NetSocket>();
  httpServer.on('connection', (s: NetSocket) => {
    connections.add(s);
    s.once('close', () => connections.delete(s));
  });

  const releaseResources = async (): Promise<void> => {
    ctx.dropGrace.close();
    ctx.loginGate.close();
    ctx.limiter.close();
    if (scaleOut) await scaleOut.close();
    else if (ownsStore) await store.close();
  };

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port, options.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await new Promise<void>((resolve) => io.close(() => resolve()));
    await releaseResources();
    throw e;
  }
  httpServer.on('error', (err) => log.error({ err }, 'HTTP server error'));

  const port = (httpServer.address() as AddressInfo).port;
  const url = urlFor(options.host, port);
  const metricsListener = options.metricsPort !== undefined
    ? await startMetricsListener(ops, options.metricsPort, options.metricsHost).catch(async (e: unknown) => {
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await releaseResources();
      throw e;
    })
    : undefined;
  const metricsUrl = metricsListener ? urlFor(options.metricsHost, metricsListener.port) : undefined;
  log.info({ url, metricsUrl, version: SERVER_VERSION, apps: [...options.apps.keys()] }, 'signaling server listening');

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      draining = true;
      closing.abort();
      ctx.dropGrace.close();
      // Clients reconnect at once instead of after their backoff (a shutdown() told them already).
      if (!shutting) io.local.emit('server:going-away', { reason: 'closing' });
      metricsListener?.server.close();
      metricsListener?.server.closeAllConnections();
      const cutter = setTimeout(() => {
        for (const s of connections) s.destroy();
      }, CLOSE_GRACE_MS);
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
        httpServer.closeIdleConnections();
      });
      clearTimeout(cutter);
      await releaseResources();
      log.info('signaling server closed');
    })());

  let shutting: Promise<void> | undefined;
  const shutdown = (drainMs = options.drainMs): Promise<void> =>
    (shutting ??= (async () => {
      draining = true;
      await drainClients(io, httpServer, drainMs, log);
      await close();
    })());

  return {
    url, port, host: options.host, nodeId, storeKind: scaleOut ? 'redis' : 'memory', version: SERVER_VERSION, store, io, httpServer, stats, close, shutdown, metricsUrl,
  };
}
