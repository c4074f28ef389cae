#!/usr/bin/env node
// Makes sure the system packages the test suite needs are installed:
//   chromium     -> /usr/bin/chromium     (Playwright e2e; we never download Playwright's own browsers)
//   firefox-esr  -> /usr/bin/firefox-esr  (Firefox e2e through puppeteer-core; no browser download either)
//   redis-server -> redis-server          (scale-out tests)
//   iproute2     -> ip                    (network-namespace tests)
//   coturn       -> turnserver            (TURN relay tests)
// Fast no-op when everything is present: apt-get is only touched when something is missing,
// so `npm test` does not hit the network on a prepared machine.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { spawnSync } from 'node:child_process';

/** Debian package → how we recognise it is installed (absolute path or a command name on PATH). */
const REQUIRED = [
  { pkg: 'chromium', probe: '/usr/bin/chromium' },
  { pkg: 'firefox-esr', probe: '/usr/bin/firefox-esr' },
  { pkg: 'redis-server', probe: 'redis-server' },
  { pkg: 'iproute2', probe: 'ip' },
  { pkg: 'coturn', probe: 'turnserver' },
];

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// sbin dirs are added because a non-root PATH often lacks them, yet `ip` lives in /usr/sbin.
const SEARCH_DIRS = [
  ...(process.env.PATH ?? '').split(delimiter).filter(Boolean),
  '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin',
];

function isPresent(probe) {
  if (probe.startsWith('/')) return isExecutable(probe);
  return SEARCH_DIRS.some((dir) => isExecutable(join(dir, probe)));
}

function run(cmd, args, env) {
  console.log(`[ensure-system-deps] $ ${cmd} ${args.join(' ')}`);
  const res = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (res.error) throw res.error;
  if (res.status !== 0) {
    console.error(`[ensure-system-deps] '${cmd} ${args.join(' ')}' failed with exit code ${res.status}`);
    process.exit(res.status ?? 1);
  }
}

const missing = REQUIRED.filter(({ probe }) => !isPresent(probe)).map(({ pkg }) => pkg);
if (missing.length === 0) {
  console.log(`[ensure-system-deps] ok: ${REQUIRED.map(({ pkg }) => pkg).join(', ')} are installed`);
  process.exit(0);
}

const installArgs = ['install', '-y', '--no-install-recommends', ...missing];
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = isPresent('apt-get');

if (!isRoot || !hasApt) {
  console.error(`[ensure-system-deps] missing system packages: ${missing.join(' ')}`);
  if (hasApt) {
    console.error('[ensure-system-deps] install them as root with:');
    console.error(`  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get ${installArgs.join(' ')}`);
  } else {
    console.error('[ensure-system-deps] apt-get not found; install these (Debian package names) with your package manager,');
    console.error('  making sure Chromium is at /usr/bin/chromium and Firefox ESR at /usr/bin/firefox-esr.');
  }
  process.exit(1);
}

console.log(`[ensure-system-deps] installing missing system packages: ${missing.join(' ')}`);
run('apt-get', ['update']);
run('apt-get', installArgs, { DEBIAN_FRONTEND: 'noninteractive' });

const stillMissing = REQUIRED.filter(({ probe }) => !isPresent(probe)).map(({ pkg }) => pkg);
if (stillMissing.length > 0) {
  console.error(`[ensure-system-deps] still missing after install: ${stillMissing.join(' ')}`);
  process.exit(1);
}
console.log('[ensure-system-deps] ok: all system packages installed');
