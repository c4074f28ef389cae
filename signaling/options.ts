// Options of createSignalingServer, their documented defaults, and the checks that turn a bad
// configuration into a clear error at start instead of odd behaviour later.
import type { Logger } from 'pino';
import { DEFAULT_DROP_GRACE_MS, DEFAULT_LIMITS, type Limits } from '../shared/limits.js';
import { assertAppId } from '../shared/token.js';
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
   * `host:port`, or `*.domain` / `*.domain:port` (any subdomain). Default: any http(s) URL.
   */
  allowList?: string[];
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
  /** The browser bundle served at /rtsmesh.js. Default: none (404). */
  bundlePath?: string;
  /** Enables GET /dev/token?uid=X (a token for the first app). Never enable in production. Default false. */
  dev?: boolean;
  /**
   * Redis URL for scale-out (SPEC §11). Not implemented yet: setting it throws at start, so a
   * deployment never silently runs single-process while believing it is clustered.
   */
  redis?: string;
  /** How long a sessionId replaced by a newer login stays refused, in ms. Default 30 minutes. */
  displacedSessionTtlMs?: number;
  /** How long two users who exchanged P2P messages may exchange WebRTC signals, in ms. Default 1 hour. */
  contactTtlMs?: number;
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
  p2server: { timeoutMs: number; allowList?: string[] };
  store?: Store;
  publicDir?: string;
  bundlePath?: string;
  dev: boolean;
  displacedSessionTtlMs: number;
  contactTtlMs: number;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '0.0.0.0';
export const DEFAULT_P2SERVER_TIMEOUT_MS = 5000;

function nonNegativeInt(name: string, v: number | undefined, fallback: number): number {
  const value = v ?? fallback;
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
  return value;
}

export function resolveOptions(opts: SignalingServerOptions): ResolvedOptions {
  if (opts.redis !== undefined) throw new Error('redis support not built yet');
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
  const port = nonNegativeInt('port', opts.port, DEFAULT_PORT);
  if (port > 65535) throw new RangeError(`port must be at most 65535, got ${port}`);
  const allowList = opts.p2server?.allowList;
  if (allowList !== undefined && (!Array.isArray(allowList) || allowList.some((p) => typeof p !== 'string' || !p))) {
    throw new TypeError('p2server.allowList must be an array of non-empty host patterns');
  }
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
    },
    store: opts.store,
    publicDir: opts.publicDir,
    bundlePath: opts.bundlePath,
    dev: opts.dev ?? false,
    displacedSessionTtlMs: nonNegativeInt('displacedSessionTtlMs', opts.displacedSessionTtlMs, 30 * 60_000),
    contactTtlMs: nonNegativeInt('contactTtlMs', opts.contactTtlMs, 60 * 60_000),
  };
}
