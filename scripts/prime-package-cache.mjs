#!/usr/bin/env node
// Fills the npm cache with everything a project installing the rtsmesh tarball downloads (the
// package's dependencies and its optional WebRTC peers), so the package tests
// (test/package-*.test.ts) can install the tarball with the registry out of reach: npm test runs
// them inside a loopback-only network namespace. run-tests.mjs calls this before entering it; run
// it by hand (`node scripts/prime-package-cache.mjs`) before running those tests in a namespace.
// A no-op once done for the same dependency list (a marker in node_modules/.cache).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dependencies = { ...pkg.dependencies, ...pkg.peerDependencies };
const hash = createHash('sha256').update(JSON.stringify(dependencies)).digest('hex').slice(0, 16);
const markerDir = join(root, 'node_modules/.cache');
const marker = join(markerDir, 'rtsmesh-package-cache-primed');

if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === hash) {
  console.log('[prime-package-cache] ok: the npm cache already holds what the package tests install');
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'rtsmesh-prime-'));
try {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'rtsmesh-prime', version: '1.0.0', private: true, dependencies }));
  console.log('[prime-package-cache] installing the package dependencies once into a scratch folder (fills the npm cache)');
  const r = spawnSync('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    stdio: 'inherit',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  if (r.status !== 0) {
    // Not fatal: the package tests will say what is missing.
    console.error(`[prime-package-cache] npm install failed (exit ${r.status}); the package tests need the npm registry or a primed cache`);
    process.exit(0);
  }
  mkdirSync(markerDir, { recursive: true });
  writeFileSync(marker, `${hash}\n`);
  console.log('[prime-package-cache] done');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
