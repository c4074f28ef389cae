// Options of createSignalingServer, their documented defaults, and the checks that turn a bad
// configuration into a clear error at start instead of odd behaviour later.
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { DEFAULT_DROP_GRACE_MS, DEFAULT_LIMITS, type Limits } from '../shared/limits.js';
import { assertAppId } from '../shared/token.js';
import { iceOptionsError, type IceOptions } from './domain/ice-servers.js';
import { normalizeAddress } from './limits/client-address.js';
import { defaultBundlePath } from './package-root.js';
import type { Store } from './store/types.js';

export interface AppCredentials {
  /** 24 printable ASCII characters (the token format fixes the length). */
  appId: string;
  /** Secret that signs tokens (HMAC key) and authenticates the app-server REST API. */
  appKey: string;
}

export interface P2ServerOptions {
  /** How long the app server has to answer one server message, in ms. Default 5000. */
  timeoutMs?: number;
  /**
   * When set, setServerParams only accepts URLs whose host matches one entry: `host`,
   * `host:port`, or `*.domain` / `*.domain:port` (any subdomain). Default: any http(s) URL
   * whose address is public (see `allowPrivateTargets`).
   */
  allowList?: string[];
  /**
   * Let app-server URLs reach loopback, private (10/8, 172.16/12, 192.168/16, 100.64/10),
   * link-local, unique-local and unspecified addresses. Checked on the address actually connected
   * to, after DNS. Outside this switch only an allow-list entry naming the host lets such a target
   * in. Default: true in `dev` mode, false otherwise.
   */
  allowPrivateTargets?: boolean;
}

export interface RestOptions {
  /** Largest request body in bytes; larger → 413 `too_large`. Default 262144 (256 KiB). */
  maxBodyBytes?: number;
  /** Requests per second per app key (and failed authentications per address); over → 429 `rate_limited`. Default 100. */
  ratePerSecond?: number;
  /** A request body not fully received this many ms after its headers → 408 and the connection is closed. Default 5000. */
  bodyTimeoutMs?: number;
}

export interface ScaleOutOptions {
  /** Prefix of every Redis key and stream this server uses. Default 'rtsmesh:'. */
  keyPrefix?: string;
  /** How often a process refreshes its liveness and its sessions' keys, in ms. Default 3000. */
  heartbeatMs?: number;
  /**
   * Expiry of presence keys and of a process's liveness, in ms (at least 2 × heartbeatMs).
   * A process silent this long is dead: a survivor announces its users as Dropped. Default
   * 3 × heartbeatMs.
   */
  ttlMs?: number;
  /**
   * How long a relayed frame may wait for Redis to take it before the sender gets
   * NetworkDisconnected (2) instead of Success, in ms. Default 2000.
   */
  publishTimeoutMs?: number;
  /** A Redis command without an answer after this many ms fails (the handler replies an error). Default 3000. */
  commandTimeoutMs?: number;
}

export interface SignalingServerOptions {
  /** TCP port; 0 picks a free one (read it back from the result). Default 8080. */
  port?: number;
  /** Interface to bind. Default '0.0.0.0'. */
  host?: string;
  /** Apps this server serves. At least one. */
  apps: AppCredentials[];
  /** Overrides of SPEC §5 limits, sent to clients at login. Default DEFAULT_LIMITS. */
  limits?: Partial<Limits>;
  /** A dropped connection is announced as Dropped after this many ms. Default 10000. */
  dropGraceMs?: number;
  /** pino level ('fatal'…'trace', 'silent'). Default 'info'. Ignored when `logger` is given. */
  logLevel?: string;
  /** A pino logger to use instead of creating one. */
  logger?: Logger;
  /** P2Server (SPEC §7) settings. */
  p2server?: P2ServerOptions;
  /** Shared state. Default: a new in-memory store, closed with the server. */
  store?: Store;
  /** Folder served as static files at / (index.html for /). Default: none. */
  publicDir?: string;
  /**
   * Serve the client SDK's browser bundle at `/rtsmesh.js` (revalidated on each load) and
   * `/rtsmesh.<version>.js` (cached as immutable), compressed, like socket.io's `serveClient`.
   * @default true
   */
  serveClient?: boolean;
  /** The bundle file served when `serveClient` is on. @default this package's dist/browser/rtsmesh.js */
  bundlePath?: string;
  /** Enables GET /dev/token?uid=X (a token for the first app). Never enable in production. Default false. */
  dev?: boolean;
  /**
   * Redis URL for scale-out (SPEC §11), e.g. `redis://host:6379` (or `rediss://` for TLS).
   * Presence, rooms and membership then live in Redis and events are routed between processes
   * by the socket.io Redis Streams adapter. Default: none (in-memory, one process).
   */
  redis?: string;
  /** Tuning of the Redis scale-out; ignored without `redis`. */
  scaleOut?: ScaleOutOptions;
  /** How long a sessionId replaced by a newer login stays refused, in ms. Default 30 minutes. */
  displacedSessionTtlMs?: number;
  /** How long two users who exchanged P2P messages may exchange WebRTC signals, in ms. Default 1 hour. */
  contactTtlMs?: number;
  /** A socket that has not logged in this many ms after connecting is disconnected; 0 = never. Default 10000. */
  loginDeadlineMs?: number;
  /**
   * Sockets not logged in yet that one remote address may hold; more are disconnected at once.
   * 0 = no cap. Behind a reverse proxy not listed in `trustProxy`, all clients share its address.
   * Default 256.
   */
  maxUnauthenticatedPerAddress?: number;
  /**
   * IP addresses of the reverse proxies in front of this server. A connection or REST request from
   * one of them counts against the per-address limits as the client its X-Forwarded-For names
   * (the right-most hop that is not itself listed); anyone else's X-Forwarded-For is ignored.
   * Default: none (the TCP peer is the client).
   */
  trustProxy?: string[];
  /**
   * Bearer token for GET /metrics on the main port (`Authorization: Bearer <token>`). Without a
   * token (and outside `dev`), /metrics is not served on the main port — use `metricsPort`.
   * Default: none.
   */
  metricsToken?: string;
  /** Serve /metrics (and only that) on this separate port too; 0 = any free one. Default: none. */
  metricsPort?: number;
  /** Interface of the metrics port. Default '127.0.0.1'. */
  metricsHost?: string;
  /**
   * SIGTERM / close(): how long connected clients get to leave after the going-away notice
   * before the rest are cut, in ms. Default 5000.
   */
  drainMs?: number;
  /** App-server REST API hardening (SPEC §8). */
  rest?: RestOptions;
  /** Whole-request deadline of the HTTP server (node's server.requestTimeout), ms. Default 30000. */
  requestTimeoutMs?: number;
  /** Deadline for a request's headers (node's server.headersTimeout), ms. Default 10000. */
  headersTimeoutMs?: number;
  /**
   * ICE servers handed to every client at login (SPEC §10): STUN URLs as they are, TURN URLs
   * with short-lived credentials in coturn's REST scheme (`use-auth-secret`), minted per user
   * from `turn.secret` (never sent) and refreshed by clients before `turn.ttlSeconds` (default
   * 14400) runs out. Default: none (clients use host candidates only, or their own iceServers).
   */
  ice?: IceOptions;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  apps: ReadonlyMap<string, AppCredentials>;
  firstApp: AppCredentials;
  limits: Readonly<Limits>;
  dropGraceMs: number;
  logLevel: string;
  logger?: Logger;
  p2server: { timeoutMs: number; allowList?: string[]; allowPrivateTargets: boolean };
  store?: Store;
  publicDir?: string;
  /** Undefined when the bundle is not served (serveClient: false). */
  bundlePath?: string;
  dev: boolean;
  displacedSessionTtlMs: number;
  contactTtlMs: number;
  redis?: string;
  scaleOut: Readonly<Required<ScaleOutOptions>>;
  loginDeadlineMs: number;
  maxUnauthenticatedPerAddress: number;
  trustProxy: ReadonlySet<string>;
  metricsToken?: string;
  metricsPort?: number;
  metricsHost: string;
  drainMs: number;
  rest: Readonly<Required<RestOptions>>;
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  /** Undefined when no STUN or TURN is configured. */
  ice?: IceOptions;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '0.0.0.0';
export const DEFAULT_P2SERVER_TIMEOUT_MS = 5000;
export const DEFAULT_REDIS_KEY_PREFIX = 'rtsmesh:';
export const DEFAULT_HEARTBEAT_MS = 3000;
export const DEFAULT_PUBLISH_TIMEOUT_MS = 2000;
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 3000;
export const DEFAULT_LOGIN_DEADLINE_MS = 10_000;
export const DEFAULT_MAX_UNAUTHENTICATED_PER_ADDRESS = 256;
export const DEFAULT_DRAIN_MS = 5000;
export const DEFAULT_REST_MAX_BODY_BYTES = 256 * 1024;
export const DEFAULT_REST_RATE_PER_SECOND = 100;
export const DEFAULT_REST_BODY_TIMEOUT_MS = 5000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;

function nonNegativeInt(name: string, v: number | undefined, fallback: number): number {
  const value = v ?? fallback;
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
  return value;
}

/** The proxies of options.trustProxy, checked: each must be an IP address (no names, no ranges). */
function trustedProxies(list: string[] | undefined): ReadonlySet<string> {
  const out = new Set<string>();
  for (const entry of list ?? []) {
    const address = typeof entry === 'string' ? normalizeAddress(entry.trim()) : '';
    if (isIP(address) === 0) throw new RangeError(`trustProxy: ${JSON.stringify(entry)} is not an IP address`);
    out.add(address);
  }
  return out;
}

function positiveInt(name: string, v: number | undefined, fallback: number): number {
  const value = nonNegativeInt(name, v, fallback);
  if (value === 0) throw new RangeError(`${name} must be positive, got ${v}`);
  return value;
}

function resolveScaleOut(opts: SignalingServerOptions): Readonly<Required<ScaleOutOptions>> {
  if (opts.redis !== undefined) {
    if (opts.store) throw new TypeError('createSignalingServer: give either `store` or `redis`, not both');
    let url: URL;
    try {
      url = new URL(opts.redis);
    } catch {
      throw new TypeError(`redis must be a URL such as redis://host:6379, got ${JSON.stringify(opts.redis)}`);
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new TypeError(`redis URL must start with redis:// or rediss://, got ${url.protocol}//`);
    }
  }
  const o = opts.scaleOut ?? {};
  const keyPrefix = o.keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX;
  if (typeof keyPrefix !== 'string' || keyPrefix.length === 0) throw new TypeError('scaleOut.keyPrefix must be a non-empty string');
  const heartbeatMs = positiveInt('scaleOut.heartbeatMs', o.heartbeatMs, DEFAULT_HEARTBEAT_MS);
  const ttlMs = positiveInt('scaleOut.ttlMs', o.ttlMs, 3 * heartbeatMs);
  if (ttlMs < 2 * heartbeatMs) throw new RangeError(`scaleOut.ttlMs (${ttlMs}) must be at least 2 × heartbeatMs (${heartbeatMs})`);
  return Object.freeze({
    keyPrefix,
    heartbeatMs,
    ttlMs,
    publishTimeoutMs: positiveInt('scaleOut.publishTimeoutMs', o.publishTimeoutMs, DEFAULT_PUBLISH_TIMEOUT_MS),
    commandTimeoutMs: positiveInt('scaleOut.commandTimeoutMs', o.commandTimeoutMs, DEFAULT_REDIS_COMMAND_TIMEOUT_MS),
  });
}

export function resolveOptions(opts: SignalingServerOptions): ResolvedOptions {
  const scaleOut = resolveScaleOut(opts);
  if (!Array.isArray(opts.apps) || opts.apps.length === 0) {
    throw new TypeError('createSignalingServer: `apps` needs at least one { appId, appKey }');
  }
  const apps = new Map<string, AppCredentials>();
  for (const app of opts.apps) {
    assertAppId(app.appId);
    if (typeof app.appKey !== 'string' || app.appKey.length === 0) {
      throw new TypeError(`createSignalingServer: app ${app.appId} has an empty appKey`);
    }
    if (apps.has(app.appId)) throw new TypeError(`createSignalingServer: app ${app.appId} is listed twice`);
    apps.set(app.appId, { appId: app.appId, appKey: app.appKey });
  }
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  for (const [k, v] of Object.entries(limits)) {
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`limits.${k} must be a positive number, got ${v}`);
  }
  const iceError = iceOptionsError(opts.ice);
  if (iceError) throw new TypeError(`createSignalingServer: ${iceError}`);
  const port = nonNegativeInt('port', opts.port, DEFAULT_PORT);
  if (port > 65535) throw new RangeError(`port must be at most 65535, got ${port}`);
  const allowList = opts.p2server?.allowList;
  if (allowList !== undefined && (!Array.isArray(allowList) || allowList.some((p) => typeof p !== 'string' || !p))) {
    throw new TypeError('p2server.allowList must be an array of non-empty host patterns');
  }
  if (opts.metricsToken !== undefined && (typeof opts.metricsToken !== 'string' || opts.metricsToken.length < 8)) {
    throw new TypeError('metricsToken must be a string of at least 8 characters');
  }
  const metricsPort = opts.metricsPort === undefined ? undefined : nonNegativeInt('metricsPort', opts.metricsPort, 0);
  if (metricsPort !== undefined && metricsPort > 65535) throw new RangeError(`metricsPort must be at most 65535, got ${metricsPort}`);
  const headersTimeoutMs = positiveInt('headersTimeoutMs', opts.headersTimeoutMs, DEFAULT_HEADERS_TIMEOUT_MS);
  const requestTimeoutMs = positiveInt('requestTimeoutMs', opts.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS);
  if (headersTimeoutMs > requestTimeoutMs) throw new RangeError(`headersTimeoutMs (${headersTimeoutMs}) must not exceed requestTimeoutMs (${requestTimeoutMs})`);
  const dev = opts.dev ?? false;
  return {
    port,
    host: opts.host ?? DEFAULT_HOST,
    apps,
    firstApp: apps.values().next().value!,
    limits: Object.freeze(limits),
    dropGraceMs: nonNegativeInt('dropGraceMs', opts.dropGraceMs, DEFAULT_DROP_GRACE_MS),
    logLevel: opts.logLevel ?? 'info',
    logger: opts.logger,
    p2server: {
      timeoutMs: nonNegativeInt('p2server.timeoutMs', opts.p2server?.timeoutMs, DEFAULT_P2SERVER_TIMEOUT_MS),
      allowList: allowList?.map((p) => p.toLowerCase()),
      allowPrivateTargets: opts.p2server?.allowPrivateTargets ?? dev,
    },
    store: opts.store,
    publicDir: opts.publicDir,
    bundlePath: opts.serveClient === false ? undefined : (opts.bundlePath ?? defaultBundlePath()),
    dev,
    displacedSessionTtlMs: nonNegativeInt('displacedSessionTtlMs', opts.displacedSessionTtlMs, 30 * 60_000),
    contactTtlMs: nonNegativeInt('contactTtlMs', opts.contactTtlMs, 60 * 60_000),
    redis: opts.redis,
    scaleOut,
    loginDeadlineMs: nonNegativeInt('loginDeadlineMs', opts.loginDeadlineMs, DEFAULT_LOGIN_DEADLINE_MS),
    maxUnauthenticatedPerAddress: nonNegativeInt('maxUnauthenticatedPerAddress', opts.maxUnauthenticatedPerAddress, DEFAULT_MAX_UNAUTHENTICATED_PER_ADDRESS),
    trustProxy: trustedProxies(opts.trustProxy),
    metricsToken: opts.metricsToken,
    metricsPort,
    metricsHost: opts.metricsHost ?? '127.0.0.1',
    drainMs: nonNegativeInt('drainMs', opts.drainMs, DEFAULT_DRAIN_MS),
    rest: Object.freeze({
      maxBodyBytes: positiveInt('rest.maxBodyBytes', opts.rest?.maxBodyBytes, DEFAULT_REST_MAX_BODY_BYTES),
      ratePerSecond: positiveInt('rest.ratePerSecond', opts.rest?.ratePerSecond, DEFAULT_REST_RATE_PER_SECOND),
      bodyTimeoutMs: positiveInt('rest.bodyTimeoutMs', opts.rest?.bodyTimeoutMs, DEFAULT_REST_BODY_TIMEOUT_MS),
    }),
    requestTimeoutMs,
    headersTimeoutMs,
    ice: opts.ice?.stun?.length || opts.ice?.turn ? structuredClone(opts.ice) : undefined,
  };
}
