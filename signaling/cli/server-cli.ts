// `rtsmesh-signaling`: runs a signaling server from the command line (SPEC §1).
import { Command, InvalidArgumentError } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createSignalingServer, type SignalingServerOptions } from '../index.js';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_REDIS_KEY_PREFIX } from '../options.js';
import { redactRedisUrl } from '../scale-out/redact.js';
import { iceFromFlags, urlList } from './ice-flags.js';
import { defaultBundlePath, packageRoot } from '../package-root.js';
import { SERVER_VERSION } from '../version.js';

/** The app --dev uses when no app is given. Public on purpose: never use it in production. */
export const DEV_APP_ID = 'rtsmeshdevapp00000000000';
export const DEV_APP_KEY = 'rtsmesh-dev-key';

function fail(message: string): never {
  console.error(`rtsmesh-signaling: ${message}`);
  process.exit(2);
}

function intOption(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
    return n;
  };
}

const program = new Command()
  .name('rtsmesh-signaling')
  .description('rtsmesh signaling server: login, presence, rooms, relay and the app-server REST API')
  .version(SERVER_VERSION)
  .option('-p, --port <port>', `TCP port, 0 = any free one (env RTSMESH_PORT, default ${DEFAULT_PORT})`, intOption('--port'))
  .option('-H, --host <host>', `interface to bind (env RTSMESH_HOST, default ${DEFAULT_HOST})`)
  .option('--app-id <appId>', 'app id, 24 characters (env RTSMESH_APP_ID)')
  .option('--app-key <appKey>', 'app key that signs tokens and guards the REST API (env RTSMESH_APP_KEY)')
  .option('--dev', `development mode: GET /dev/token, demo page; app ${DEV_APP_ID} / ${DEV_APP_KEY} when none is given`)
  .option('--redis <url>', 'Redis URL (redis://host:6379): several processes share state and route events through it (env RTSMESH_REDIS)')
  .option('--redis-prefix <prefix>', `prefix of every Redis key (env RTSMESH_REDIS_PREFIX, default ${DEFAULT_REDIS_KEY_PREFIX})`)
  .option('--redis-heartbeat-ms <ms>', `how often a process refreshes its Redis keys (default ${DEFAULT_HEARTBEAT_MS})`, intOption('--redis-heartbeat-ms'))
  .option('--redis-ttl-ms <ms>', 'expiry of presence keys; a process silent this long is dead (default 3 x heartbeat)', intOption('--redis-ttl-ms'))
  .option('--drop-grace-ms <ms>', 'how long a dropped connection may come back before it is announced as Dropped', intOption('--drop-grace-ms'))
  .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent', 'info')
  .option('--public-dir <dir>', 'folder served as static files at /')
  .option('--stun <urls>', 'comma-separated stun: URLs handed to clients at login (env RTSMESH_STUN)', urlList)
  .option('--turn <urls>', 'comma-separated turn: URLs handed to clients at login with short-lived credentials (env RTSMESH_TURN)', urlList)
  .option('--turn-secret <secret>', "coturn's static-auth-secret (use-auth-secret); prefer the variable (env RTSMESH_TURN_SECRET)")
  .option('--turn-ttl <seconds>', 'lifetime of each TURN credential (env RTSMESH_TURN_TTL, default 14400)', intOption('--turn-ttl'))
  .showHelpAfterError();

program.parse();
const cli = program.opts<{
  port?: number;
  host?: string;
  appId?: string;
  appKey?: string;
  dev?: boolean;
  redis?: string;
  redisPrefix?: string;
  redisHeartbeatMs?: number;
  redisTtlMs?: number;
  dropGraceMs?: number;
  logLevel: string;
  publicDir?: string;
  stun?: string[];
  turn?: string[];
  turnSecret?: string;
  turnTtl?: number;
}>();

const env = process.env;
const dev = cli.dev ?? false;
let appId = cli.appId ?? env.RTSMESH_APP_ID;
let appKey = cli.appKey ?? env.RTSMESH_APP_KEY;
if (!appId && !appKey && dev) {
  appId = DEV_APP_ID;
  appKey = DEV_APP_KEY;
}
if (!appId || !appKey) fail('--app-id and --app-key (or RTSMESH_APP_ID / RTSMESH_APP_KEY) are required, or use --dev');

const envPort = env.RTSMESH_PORT !== undefined ? intOption('RTSMESH_PORT')(env.RTSMESH_PORT) : undefined;
const options: SignalingServerOptions = {
  port: cli.port ?? envPort ?? DEFAULT_PORT,
  host: cli.host ?? env.RTSMESH_HOST ?? DEFAULT_HOST,
  apps: [{ appId, appKey }],
  dev,
  logLevel: cli.logLevel,
  dropGraceMs: cli.dropGraceMs,
  redis: cli.redis ?? (env.RTSMESH_REDIS || undefined),
  scaleOut: {
    keyPrefix: cli.redisPrefix ?? (env.RTSMESH_REDIS_PREFIX || undefined),
    heartbeatMs: cli.redisHeartbeatMs,
    ttlMs: cli.redisTtlMs,
  },
  publicDir: cli.publicDir,
};
try {
  options.ice = iceFromFlags({
    stun: cli.stun ?? (env.RTSMESH_STUN ? urlList(env.RTSMESH_STUN) : undefined),
    turn: cli.turn ?? (env.RTSMESH_TURN ? urlList(env.RTSMESH_TURN) : undefined),
    turnSecret: cli.turnSecret ?? (env.RTSMESH_TURN_SECRET || undefined),
    turnTtl: cli.turnTtl ?? (env.RTSMESH_TURN_TTL ? intOption('RTSMESH_TURN_TTL')(env.RTSMESH_TURN_TTL) : undefined),
  });
} catch (e) {
  fail((e as Error).message);
}
// The demo app (demo/ in the package); the bundle it imports is served by default.
if (dev) options.publicDir ??= join(packageRoot(), 'demo');

try {
  const server = await createSignalingServer(options);
  // One write, so whoever waits for the listening line already has the lines after it.
  const banner = [
    `rtsmesh signaling listening on ${server.url}`,
    options.redis ? `store: redis ${redactRedisUrl(options.redis)}` : 'store: memory',
  ];
  if (dev) {
    banner.push(`dev app id: ${appId}`, `dev app key: ${appKey}`, `dev token: ${server.url}/dev/token?uid=alice`);
    const bundlePath = defaultBundlePath();
    if (!existsSync(bundlePath)) banner.push(`note: ${bundlePath} is missing; run \`npm run build\` to serve /rtsmesh.js`);
  }
  console.log(banner.join('\n'));
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`rtsmesh signaling: ${signal}, closing`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('rtsmesh signaling: close failed', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (e) {
  console.error(`rtsmesh signaling: ${(e as Error).message}`);
  process.exit(1);
}
