// The flags of `rtsmesh-signaling`, each with its environment variable (SPEC §12: every setting
// can come from the environment, as containers are configured). One table drives both --help and
// the lookup: a flag given on the command line wins over its variable.
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  DEFAULT_DRAIN_MS, DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_HEARTBEAT_MS, DEFAULT_HOST, DEFAULT_LOGIN_DEADLINE_MS,
  DEFAULT_MAX_UNAUTHENTICATED_PER_ADDRESS, DEFAULT_P2SERVER_TIMEOUT_MS, DEFAULT_PORT, DEFAULT_REDIS_KEY_PREFIX,
  DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_REST_BODY_TIMEOUT_MS, DEFAULT_REST_MAX_BODY_BYTES, DEFAULT_REST_RATE_PER_SECOND,
} from '../options.js';

type Kind = 'string' | 'int' | 'bool' | 'list';

export interface FlagSpec {
  /** commander flags, e.g. '-p, --port <port>'. */
  flags: string;
  env: string;
  kind: Kind;
  help: string;
  /** Shown in --help; the library default applies when neither flag nor variable is given. */
  shownDefault?: string | number;
}

export const FLAGS = {
  port: { flags: '-p, --port <port>', env: 'RTSMESH_PORT', kind: 'int', help: 'TCP port, 0 = any free one', shownDefault: DEFAULT_PORT },
  host: { flags: '-H, --host <host>', env: 'RTSMESH_HOST', kind: 'string', help: 'interface to bind', shownDefault: DEFAULT_HOST },
  appId: { flags: '--app-id <appId>', env: 'RTSMESH_APP_ID', kind: 'string', help: 'app id, 24 characters' },
  appKey: { flags: '--app-key <appKey>', env: 'RTSMESH_APP_KEY', kind: 'string', help: 'app key that signs tokens and guards the REST API' },
  dev: { flags: '--dev', env: 'RTSMESH_DEV', kind: 'bool', help: 'development mode: GET /dev/token, demo page, open /metrics, P2Server may reach private addresses; a fixed public dev app when none is given' },
  redis: { flags: '--redis <url>', env: 'RTSMESH_REDIS', kind: 'string', help: 'Redis URL (redis://host:6379): several processes share state and route events through it' },
  redisPrefix: { flags: '--redis-prefix <prefix>', env: 'RTSMESH_REDIS_PREFIX', kind: 'string', help: 'prefix of every Redis key', shownDefault: DEFAULT_REDIS_KEY_PREFIX },
  redisHeartbeatMs: { flags: '--redis-heartbeat-ms <ms>', env: 'RTSMESH_REDIS_HEARTBEAT_MS', kind: 'int', help: 'how often a process refreshes its Redis keys', shownDefault: DEFAULT_HEARTBEAT_MS },
  redisTtlMs: { flags: '--redis-ttl-ms <ms>', env: 'RTSMESH_REDIS_TTL_MS', kind: 'int', help: 'expiry of presence keys; a process silent this long is dead', shownDefault: '3 x heartbeat' },
  dropGraceMs: { flags: '--drop-grace-ms <ms>', env: 'RTSMESH_DROP_GRACE_MS', kind: 'int', help: 'how long a dropped connection may come back before it is announced as Dropped', shownDefault: 10_000 },
  logLevel: { flags: '--log-level <level>', env: 'RTSMESH_LOG_LEVEL', kind: 'string', help: 'fatal, error, warn, info, debug, trace or silent', shownDefault: 'info' },
  publicDir: { flags: '--public-dir <dir>', env: 'RTSMESH_PUBLIC_DIR', kind: 'string', help: 'folder served as static files at /' },
  loginDeadlineMs: { flags: '--login-deadline-ms <ms>', env: 'RTSMESH_LOGIN_DEADLINE_MS', kind: 'int', help: 'a socket not logged in this long after connecting is disconnected (0 = never)', shownDefault: DEFAULT_LOGIN_DEADLINE_MS },
  maxUnauthenticatedPerAddress: { flags: '--max-unauthenticated-per-address <n>', env: 'RTSMESH_MAX_UNAUTHENTICATED_PER_ADDRESS', kind: 'int', help: 'sockets not logged in yet per remote address (0 = no cap; see --trust-proxy behind a proxy)', shownDefault: DEFAULT_MAX_UNAUTHENTICATED_PER_ADDRESS },
  trustProxy: { flags: '--trust-proxy <addresses>', env: 'RTSMESH_TRUST_PROXY', kind: 'list', help: 'comma-separated IP addresses of your reverse proxies: their X-Forwarded-For names the client for the per-address limits' },
  metricsToken: { flags: '--metrics-token <token>', env: 'RTSMESH_METRICS_TOKEN', kind: 'string', help: 'bearer token for GET /metrics on the main port (without it, or --metrics-port, /metrics is not served outside --dev)' },
  metricsPort: { flags: '--metrics-port <port>', env: 'RTSMESH_METRICS_PORT', kind: 'int', help: 'also serve /metrics, /healthz and /readyz on this port' },
  metricsHost: { flags: '--metrics-host <host>', env: 'RTSMESH_METRICS_HOST', kind: 'string', help: 'interface of the metrics port', shownDefault: '127.0.0.1' },
  drainMs: { flags: '--drain-ms <ms>', env: 'RTSMESH_DRAIN_MS', kind: 'int', help: 'on SIGTERM/SIGINT: how long clients get to leave after the going-away notice', shownDefault: DEFAULT_DRAIN_MS },
  p2serverTimeoutMs: { flags: '--p2server-timeout-ms <ms>', env: 'RTSMESH_P2SERVER_TIMEOUT_MS', kind: 'int', help: 'how long an app server has to answer a server message', shownDefault: DEFAULT_P2SERVER_TIMEOUT_MS },
  p2serverAllow: { flags: '--p2server-allow <hosts>', env: 'RTSMESH_P2SERVER_ALLOW', kind: 'list', help: 'comma-separated allow-list of app-server hosts (host, host:port, *.domain); a host named exactly may be private' },
  restMaxBodyBytes: { flags: '--rest-max-body-bytes <n>', env: 'RTSMESH_REST_MAX_BODY_BYTES', kind: 'int', help: 'largest REST request body (413 beyond)', shownDefault: DEFAULT_REST_MAX_BODY_BYTES },
  restRate: { flags: '--rest-rate <n>', env: 'RTSMESH_REST_RATE', kind: 'int', help: 'REST requests per second per app key (429 beyond)', shownDefault: DEFAULT_REST_RATE_PER_SECOND },
  restBodyTimeoutMs: { flags: '--rest-body-timeout-ms <ms>', env: 'RTSMESH_REST_BODY_TIMEOUT_MS', kind: 'int', help: 'a REST body not complete this long after its headers gets 408', shownDefault: DEFAULT_REST_BODY_TIMEOUT_MS },
  requestTimeoutMs: { flags: '--request-timeout-ms <ms>', env: 'RTSMESH_REQUEST_TIMEOUT_MS', kind: 'int', help: 'whole-request deadline of the HTTP server', shownDefault: DEFAULT_REQUEST_TIMEOUT_MS },
  headersTimeoutMs: { flags: '--headers-timeout-ms <ms>', env: 'RTSMESH_HEADERS_TIMEOUT_MS', kind: 'int', help: 'deadline for request headers', shownDefault: DEFAULT_HEADERS_TIMEOUT_MS },
  stun: { flags: '--stun <urls>', env: 'RTSMESH_STUN', kind: 'list', help: 'comma-separated stun: URLs handed to clients at login' },
  turn: { flags: '--turn <urls>', env: 'RTSMESH_TURN', kind: 'list', help: 'comma-separated turn:/turns: URLs handed to clients at login with short-lived credentials (TURN REST, coturn use-auth-secret)' },
  turnSecret: { flags: '--turn-secret <secret>', env: 'RTSMESH_TURN_SECRET', kind: 'string', help: "coturn's static-auth-secret; never sent to clients (prefer the variable: flags show in ps)" },
  turnTtl: { flags: '--turn-ttl <seconds>', env: 'RTSMESH_TURN_TTL', kind: 'int', help: 'lifetime of each TURN credential; clients refresh at half of it', shownDefault: 14_400 },
} satisfies Record<string, FlagSpec>;

export type FlagName = keyof typeof FLAGS;
type ValueOf<K extends Kind> = K extends 'int' ? number : K extends 'bool' ? boolean : K extends 'list' ? string[] : string;
export type FlagValues = { [N in FlagName]?: ValueOf<(typeof FLAGS)[N]['kind']> };

function parse(kind: Kind, name: string, raw: string): unknown {
  switch (kind) {
    case 'int': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
      return n;
    }
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off|)$/i.test(raw)) return false;
      throw new InvalidArgumentError(`${name} must be true or false`);
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    default:
      return raw;
  }
}

/** Adds every flag to `program`, its variable and default in the help text. */
export function addFlags(program: Command): Command {
  for (const spec of Object.values(FLAGS) as FlagSpec[]) {
    const extra = [`env ${spec.env}`, spec.shownDefault !== undefined ? `default ${spec.shownDefault}` : ''].filter(Boolean).join(', ');
    const option = new Option(spec.flags, `${spec.help} (${extra})`);
    if (spec.kind !== 'bool' && spec.kind !== 'string') option.argParser((raw: string) => parse(spec.kind, option.long ?? spec.flags, raw));
    program.addOption(option);
  }
  return program;
}

/**
 * Each flag's value: the command line's, else its environment variable's (empty = unset).
 * Throws InvalidArgumentError naming the variable for a bad value.
 */
export function readFlags(cli: Record<string, unknown>, env: NodeJS.ProcessEnv): FlagValues {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(FLAGS) as [FlagName, FlagSpec][]) {
    if (cli[name] !== undefined) out[name] = cli[name];
    else if (env[spec.env] !== undefined && env[spec.env] !== '') out[name] = parse(spec.kind, spec.env, env[spec.env]!);
  }
  return out as FlagValues;
}
