// Operator endpoints (SPEC §12): /healthz (the process is alive), /readyz (its store — Redis
// included — answers, so it can take clients), and /metrics in Prometheus format behind the
// access rule of metrics-auth.ts. Also the optional separate metrics listener (`metricsPort`).
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerContext } from '../context.js';
import { sendJson } from './http-util.js';
import { metricsAccess } from './metrics-auth.js';
import { SERVER_VERSION } from '../version.js';

/** How long /readyz waits for the store before it says 503. */
export const READY_TIMEOUT_MS = 2000;

export interface OpsDeps {
  ctx: ServerContext;
  /** Refreshes the gauges that are read, not counted (connections, logged in, …). */
  refreshGauges(): void;
  /** True once close() began: not ready for new clients any more. */
  draining(): boolean;
}

/** Handles /healthz, /readyz and /metrics; false for any other path. */
export async function handleOpsRoute(deps: OpsDeps, req: IncomingMessage, res: ServerResponse, url: URL, separatePort = false): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  switch (url.pathname) {
    case '/healthz':
      sendJson(res, 200, { ok: true, version: SERVER_VERSION });
      return true;
    case '/readyz': {
      const problem = deps.draining() ? 'shutting down' : await storeProblem(deps.ctx);
      sendJson(res, problem ? 503 : 200, problem ? { ok: false, reason: problem } : { ok: true });
      return true;
    }
    case '/metrics':
      await serveMetrics(deps, req, res, separatePort);
      return true;
    default:
      return false;
  }
}

/** Undefined when the store answers within READY_TIMEOUT_MS, else why not. */
async function storeProblem(ctx: ServerContext): Promise<string | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`store did not answer within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([ctx.store.counts().then(() => undefined, (e: unknown) => `store error: ${(e as Error).message}`), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function serveMetrics(deps: OpsDeps, req: IncomingMessage, res: ServerResponse, separatePort: boolean): Promise<void> {
  const { ctx } = deps;
  const access = metricsAccess(req, { dev: ctx.options.dev, token: ctx.options.metricsToken, separatePort });
  if (access === 'unauthorized') {
    sendJson(res, 401, { code: 'unauthorized', message: 'Authorization: Bearer <metricsToken> required' }, { 'www-authenticate': 'Bearer' });
    return;
  }
  if (access === 'forbidden') {
    sendJson(res, 403, { code: 'forbidden', message: 'metrics are not public: set metricsToken (--metrics-token) or metricsPort (--metrics-port)' });
    return;
  }
  deps.refreshGauges();
  // A shared store may be unreachable for a while; the process-local metrics still matter then.
  const counts = await ctx.store.counts().catch(() => undefined);
  if (counts) {
    ctx.metrics.sessions.set(counts.sessions);
    ctx.metrics.rooms.set(counts.rooms);
  }
  const text = await ctx.metrics.registry.metrics();
  res.writeHead(200, { 'content-type': ctx.metrics.registry.contentType });
  res.end(text);
}

/** The separate listener of `metricsPort`: /metrics, /healthz and /readyz only. */
export async function startMetricsListener(deps: OpsDeps, port: number, host: string): Promise<{ server: HttpServer; port: number }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    handleOpsRoute(deps, req, res, url, true)
      .then((handled) => {
        if (!handled) sendJson(res, 404, { code: 'not_found', message: 'only /metrics, /healthz and /readyz here' });
      })
      .catch((err: unknown) => {
        deps.ctx.log.error({ err }, 'metrics request failed');
        if (!res.headersSent) sendJson(res, 500, { code: 'internal', message: 'internal error' });
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
