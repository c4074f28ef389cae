// The package as users get it: `npm pack` of a fresh copy of the sources (no dist/, as in a new
// clone, so `prepare` has to build it), installed into a scratch project in os.tmpdir() from
// the tarball. Used by the package-*.test.ts files. Everything lives under one temp folder that
// cleanup() removes.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export const ROOT = resolve(import.meta.dirname, '../..');
/** The project's own TypeScript compiler, reused by path instead of installed again. */
export const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');


/**
 * npm from its cache first, no audit, no funding notes, no update check, and no retries: inside
 * npm test's loopback-only namespace the registry is out of reach, and what the tests install
 * comes from the cache that scripts/prime-package-cache.mjs filled before (a miss fails at once).
 */
const NPM_QUIET = ['--prefer-offline', '--fetch-retries=0', '--no-audit', '--no-fund', '--loglevel=error'];
const NPM_ENV = { ...process.env, npm_config_update_notifier: 'false' };

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Runs a command, failing with its output (not just the exit code) when it fails. */
export async function run(cmd: string, args: string[], cwd: string, timeoutMs = 180_000): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await exec(cmd, args, { cwd, env: NPM_ENV, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 });
    return { stdout, stderr };
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${e.message}\n--- stdout\n${e.stdout ?? ''}\n--- stderr\n${e.stderr ?? ''}`);
  }
}

export interface PackedPackage {
  /** The temp folder holding everything below. */
  dir: string;
  /** Absolute path of rtsmesh-<version>.tgz. */
  tarball: string;
  /** Paths inside the tarball, relative to the package root (no `package/` prefix). */
  files: string[];
}

/**
 * Copies what a clone of the working tree holds (tracked and new files, not git-ignored ones such
 * as dist/ or node_modules/) into a temp folder and runs `npm pack` there, so `prepare` must build.
 */
export async function packFreshCopy(): Promise<PackedPackage> {
  const dir = mkdtempSync(join(tmpdir(), 'rtsmesh-pack-'));
  const clone = join(dir, 'clone');
  const { stdout: listed } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT);
  for (const rel of new Set(listed.split('\0').filter(Boolean))) {
    if (!existsSync(join(ROOT, rel))) continue; // deleted in the working tree, not committed yet
    mkdirSync(dirname(join(clone, rel)), { recursive: true });
    copyFileSync(join(ROOT, rel), join(clone, rel));
  }
  // The installed dependencies of the project, as `npm install` in the clone would leave them.
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
  const out = join(dir, 'out');
  mkdirSync(out);
  await run('npm', ['pack', '--pack-destination', out, ...NPM_QUIET], clone);
  const tgz = readdirSync(out).filter((f) => f.endsWith('.tgz'));
  if (tgz.length !== 1) throw new Error(`npm pack left ${tgz.length} tarballs in ${out}`);
  const tarball = join(out, tgz[0]);
  const { stdout } = await run('tar', ['-tzf', tarball], dir);
  const files = stdout.split('\n').filter(Boolean).map((p) => p.replace(/^package\//, ''));
  return { dir, tarball, files };
}

/**
 * A scratch project (type: module) that installs the tarball and `extra` registry packages.
 * Returns its folder.
 */
export async function installInScratch(packed: PackedPackage, name: string, extra: string[] = []): Promise<string> {
  const project = join(packed.dir, name);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
  try {
    await run('npm', ['install', packed.tarball, ...extra, ...NPM_QUIET], project);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nWithout the npm registry, run \`node scripts/prime-package-cache.mjs\` first (npm test does).`);
  }
  return project;
}

export function cleanup(packed: PackedPackage | undefined): void {
  if (packed) rmSync(packed.dir, { recursive: true, force: true });
}
