// `rtsmesh-signaling`: runs a signaling server from the command line (SPEC §1).
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createSignalingServer, type SignalingServerOptions } from '../index.js';
import { DEFAULT_DRAIN_MS, DEFAULT_HOST, DEFAULT_PORT } from '../options.js';
import { addFlags, readFlags, type FlagValues } from './server-flags.js';
import { redactRedisUrl } from '../scale-out/redact.js';
import { iceFromFlags } from './ice-flags.js';
import { defaultBundlePath, packageRoot } from '../package-root.js';
import { SERVER_VERSION } from '../version.js';

/** The app --dev uses when no app is given. Public on purpose: never use it in production. */
export const DEV_APP_ID = 'rtsmeshdevapp00000000000';
export const DEV_APP_KEY = 'rtsmesh-dev-key';

function fail(message: string): never {
  console.error(`rtsmesh-signaling: ${message}`);
  process.exit(2);
}

const program = addFlags(
  new Command()
    .name('rtsmesh-signaling')
    .description('rtsmesh signaling server: login, presence, rooms, relay and the app-server REST API')
    .version(SERVER_VERSION),
).showHelpAfterError();

program.parse();
let flags: FlagValues;
try {
  flags = readFlags(program.opts(), process.env);
} catch (e) {
  fail((e as Error).message);
}

const dev = flags.dev ?? false;
let appId = flags.appId;
let appKey = flags.appKey;
if (!appId && !appKey && dev) {
  appId = DEV_APP_ID;
  appKey = DEV_APP_KEY;
}
if (!appId || !appKey) fail('--app-id and --app-key (or RTSMESH_APP_ID / RTSMESH_APP_KEY) are required, or use --dev');

const options: SignalingServerOptions = {
  port: flags.port ?? DEFAULT_PORT,
  host: flags.host ?? DEFAULT_HOST,
  apps: [{ appId, appKey }],
  dev,
  logLevel: flags.logLevel ?? 'info',
  dropGraceMs: flags.dropGraceMs,
  redis: flags.redis,
  scaleOut: { keyPrefix: flags.redisPrefix, heartbeatMs: flags.redisHeartbeatMs, ttlMs: flags.redisTtlMs },
  publicDir: flags.publicDir,
  loginDeadlineMs: flags.loginDeadlineMs,
  maxUnauthenticatedPerAddress: flags.maxUnauthenticatedPerAddress,
  trustProxy: flags.trustProxy,
  metricsToken: flags.metricsToken,
  metricsPort: flags.metricsPort,
  metricsHost: flags.metricsHost,
  drainMs: flags.drainMs,
  p2server: { timeoutMs: flags.p2serverTimeoutMs, allowList: flags.p2serverAllow },
  rest: { maxBodyBytes: flags.restMaxBodyBytes, ratePerSecond: flags.restRate, bodyTimeoutMs: flags.restBodyTimeoutMs },
  requestTimeoutMs: flags.requestTimeoutMs,
  headersTimeoutMs: flags.headersTimeoutMs,
};
try {
  options.ice = iceFromFlags({ stun: flags.stun, turn: flags.turn, turnSecret: flags.turnSecret, turnTtl: flags.turnTtl });
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
  if (server.metricsUrl) banner.push(`metrics: ${server.metricsUrl}/metrics`);
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
    console.log(`rtsmesh signaling: ${signal}, draining (at most ${options.drainMs ?? DEFAULT_DRAIN_MS} ms), then closing`);
    server.shutdown().then(
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
