#!/usr/bin/env node
// rtsmesh benchmarks: one command, one table per scenario, every SDK figure beside a baseline
// measured in the same run. `npm run bench` builds first, then runs this.
//
//   node bench/run.mjs [--quick] [--only p2p-rtt,throughput|1,4] [--json out.json] [--md docs/BENCHMARKS.md]
//
// Each scenario runs in its own process (bench/<name>.ts under tsx) with a time bound; it is
// ended by pid when it overruns, and its partial results are kept. On Linux the whole run
// re-executes itself in a private network namespace (unshare) where only loopback exists, so
// no packet can leave 127.0.0.1 whatever the WebRTC stacks try; --no-netns skips that.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resultsMarkdown, scenarioTable, summaryTable } from './lib/report.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

const SCENARIOS = [
  'p2p-rtt',
  'relay-rtt',
  'lan-distant-server',
  'throughput',
  'mesh-formation',
  'server-capacity',
  'link-cost',
  'failover',
  'rooms',
];

const HELP = `usage: node bench/run.mjs [options]   (or: npm run bench -- [options])
  --quick            fewer, shorter runs (under about a minute per scenario; for development)
  --only <list>      comma-separated scenario names or numbers: ${SCENARIOS.map((s, i) => `${i + 1}=${s}`).join(', ')}
  --json <file>      also write all results as JSON
  --md <file>        rewrite the results section of a markdown file (e.g. docs/BENCHMARKS.md)
  --no-netns         do not isolate the run in a loopback-only network namespace
`;

function parseArgs(argv) {
  const o = { quick: false, only: undefined, json: undefined, md: undefined, netns: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--only') o.only = argv[++i];
    else if (a === '--json') o.json = argv[++i];
    else if (a === '--md') o.md = argv[++i];
    else if (a === '--no-netns') o.netns = false;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(HELP);
      process.exit(0);
    } else {
      process.stderr.write(`unknown option ${a}\n${HELP}`);
      process.exit(2);
    }
  }
  return o;
}

const args = process.argv.slice(2);
const opts = parseArgs(args);
const command =
  process.env.RTSMESH_BENCH_COMMAND ??
  (process.env.npm_lifecycle_event === 'bench' ? `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}` : `node bench/run.mjs${args.length ? ` ${args.join(' ')}` : ''}`);

// ---- network isolation ---------------------------------------------------------------------

const NETNS_ENV = 'RTSMESH_BENCH_NETNS';
if (opts.netns && process.platform === 'linux' && !process.env[NETNS_ENV]) {
  const inner = 'ip link set lo up && exec "$0" "$@"';
  const probe = (flags) => spawnSync('unshare', [...flags, 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' }).status === 0;
  const flags = probe(['-n']) ? ['-n'] : probe(['-rn']) ? ['-rn'] : undefined;
  if (flags) {
    const r = spawnSync('unshare', [...flags, 'sh', '-c', inner, process.execPath, fileURLToPath(import.meta.url), ...args], {
      stdio: 'inherit',
      cwd: root,
      env: { ...process.env, [NETNS_ENV]: `unshare ${flags.join(' ')}`, RTSMESH_BENCH_COMMAND: command },
    });
    process.exit(r.status ?? 1);
  }
  process.stderr.write('note: cannot create a network namespace (unshare/ip unavailable or not permitted); WebRTC links may use this host\'s non-loopback addresses\n');
}

// ---- scenarios -----------------------------------------------------------------------------

function selected() {
  if (!opts.only) return SCENARIOS;
  const want = opts.only.split(',').map((s) => s.trim()).filter(Boolean);
  const names = want.map((w) => (/^\d+$/.test(w) ? SCENARIOS[Number(w) - 1] : w));
  const bad = names.filter((n) => !SCENARIOS.includes(n));
  if (bad.length) {
    process.stderr.write(`unknown scenario(s): ${want.filter((_, i) => !SCENARIOS.includes(names[i])).join(', ')}\n${HELP}`);
    process.exit(2);
  }
  return SCENARIOS.filter((s) => names.includes(s));
}

/** Runs one scenario process; resolves with its result (partial or failed ones included). */
function runScenario(name, dir) {
  const out = path.join(dir, `${name}.json`);
  const limitMs = opts.quick ? 150_000 : 30 * 60_000;
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, `${name}.ts`), ...(opts.quick ? ['--quick'] : []), '--out', out], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    let overran = false;
    let kill;
    const timer = setTimeout(() => {
      overran = true;
      process.stderr.write(`${name}: over its ${limitMs / 1000} s bound, stopping pid ${child.pid}\n`);
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {}
      kill = setTimeout(() => {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {}
      }, 5000);
    }, limitMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(kill);
      let res;
      try {
        res = JSON.parse(readFileSync(out, 'utf8'));
      } catch {
        res = { name, title: name, rows: [], notes: [], durationMs: Date.now() - started };
      }
      if (overran) res.error = `stopped after ${limitMs / 1000} s (time bound); rows above were measured before that`;
      else if (code !== 0 && !res.error) res.error = `exited with ${code ?? signal}`;
      resolve(res);
    });
  });
}

function readVersion(pkg) {
  try {
    return JSON.parse(readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

function gitCommit() {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) return 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' });
  return `${r.stdout.trim()}${dirty.stdout?.trim() ? ' (with uncommitted changes)' : ''}`;
}

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

async function main() {
  const names = selected();
  const machine = {
    date: new Date().toISOString(),
    command,
    quick: opts.quick,
    cpu: os.cpus()[0]?.model?.trim() ?? 'unknown',
    cores: os.cpus().length,
    ramGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    packages: Object.fromEntries(['@roamhq/wrtc', 'node-datachannel', 'simple-peer', 'socket.io'].map((p) => [p, readVersion(p)])),
    network: process.env[NETNS_ENV]
      ? `own network namespace (${process.env[NETNS_ENV]}): loopback only, all traffic on 127.0.0.1`
      : 'host network; servers and sockets on 127.0.0.1, WebRTC candidates filtered to 127.0.0.1',
    commit: gitCommit(),
    loadStart: load(),
    loadEnd: '',
  };
  const dist = process.env.RTSMESH_BENCH_DIST ? path.resolve(process.env.RTSMESH_BENCH_DIST) : path.join(root, 'dist');
  if (!existsSync(path.join(dist, 'client', 'index.js'))) {
    process.stderr.write(`note: ${path.relative(root, dist) || dist}/client/index.js is missing — SDK figures will read n/a (npm run bench builds it)\n`);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rtsmesh-bench-'));
  const results = [];
  try {
    for (const [i, name] of names.entries()) {
      process.stderr.write(`\n== ${SCENARIOS.indexOf(name) + 1}. ${name}\n`);
      const res = await runScenario(name, dir);
      res.number = SCENARIOS.indexOf(name) + 1;
      results.push(res);
      process.stdout.write(`\n${SCENARIOS.indexOf(name) + 1}. ${res.title}\n${res.rows.length ? scenarioTable(res) : ''}\n`);
      if (res.error) process.stdout.write(`scenario error: ${res.error}\n`);
      if (i < names.length - 1) await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  machine.loadEnd = load();
  process.stdout.write(`\nSummary of targets\n${summaryTable(results)}\n\n${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${machine.date}\n`);

  if (opts.json) writeFileSync(path.resolve(root, opts.json), `${JSON.stringify({ machine, scenarios: results }, null, 2)}\n`);
  if (opts.md) writeMarkdown(path.resolve(root, opts.md), resultsMarkdown(machine, results));
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/** Replaces what lies between the markers (or appends a marked section). */
function writeMarkdown(file, section) {
  const block = `${START}\n${section}\n${END}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\n';
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  text = a >= 0 && b > a ? text.slice(0, a) + block + text.slice(b + END.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
  process.stderr.write(`results written to ${path.relative(root, file)}\n`);
}

await main();
