#!/usr/bin/env node
// `npm test`: vitest (unit + integration), then the tests at size one file at a time
// (*.alone.test.ts, see vitest.config.ts), then Playwright (e2e), one after the other so two
// cores are not oversubscribed.
//
// On Linux both run inside a private network namespace in which only loopback exists (as root:
// `unshare -n`; otherwise an unprivileged user namespace, `unshare -rn`, where the kernel allows
// it). WebRTC stacks pick whatever interface they like for a link, and libwebrtc cannot be told
// not to, so this is what guarantees that no test packet involves any address but 127.0.0.1 (or
// the namespaces a test makes for itself). Where no namespace can be made, the tests still pass
// outside one: every test engine is also restricted to 127.0.0.1 by `iceAddresses`.
// RTSMESH_TEST_NETNS=off runs them in the current namespace.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const INSIDE = 'RTSMESH_TEST_INSIDE_NETNS';
const REPORTS = new URL('../.tmp/test-reports/', import.meta.url).pathname;
const vitestJson = `${REPORTS}vitest.json`;
const aloneJson = `${REPORTS}vitest-alone.json`;
const playwrightJson = `${REPORTS}playwright.json`;
// Each runner also writes a JSON report, so the run can end on one plain line that counts both.
const steps = [
  ['npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]],
  ['npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${aloneJson}`], { RTSMESH_TEST_ALONE: '1' }],
  ['npx', ['playwright', 'test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson }],
];

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  return r.status ?? 1;
}

function runSteps() {
  rmSync(REPORTS, { recursive: true, force: true });
  mkdirSync(REPORTS, { recursive: true });
  let code = 0;
  for (const [cmd, args, env] of steps) {
    code = run(cmd, args, { ...process.env, ...env });
    if (code !== 0) break;
  }
  printTotals();
  return code;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** "N passed, N failed" over both runners (a runner that did not run counts nothing). */
function printTotals() {
  const vs = [readJson(vitestJson), readJson(aloneJson)];
  const p = readJson(playwrightJson);
  const sum = (key) => vs.reduce((n, v) => n + (v?.[key] ?? 0), 0);
  const passed = sum('numPassedTests') + (p?.stats?.expected ?? 0);
  const failed = sum('numFailedTests') + (p?.stats?.unexpected ?? 0) + (p?.stats?.flaky ?? 0);
  const skipped = sum('numPendingTests') + sum('numTodoTests') + (p?.stats?.skipped ?? 0);
  console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
}

/** The unshare flags that work here, or null. */
function namespaceFlags() {
  if (process.platform !== 'linux' || process.env.RTSMESH_TEST_NETNS === 'off') return null;
  const candidates = process.getuid?.() === 0 ? [['-n']] : [['-rn']];
  for (const flags of candidates) {
    const probe = spawnSync('unshare', [...flags, 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'ignore' });
    if (probe.status === 0) return flags;
  }
  return null;
}

if (process.env[INSIDE] === '1') {
  const up = run('ip', ['link', 'set', 'lo', 'up']);
  // Firefox gathers ICE candidates only from the address of the default route; with none it has
  // no candidates at all. A default route over lo gives it 127.0.0.1, and nothing can leave a
  // namespace whose only interface is lo. Chromium and Node do not care.
  const route = up === 0 ? run('ip', ['route', 'add', 'default', 'via', '127.0.0.1', 'dev', 'lo', 'src', '127.0.0.1']) : up;
  process.exit(route === 0 ? runSteps() : route);
}

// The package tests install the packed tarball into a scratch project; inside the namespace the
// npm registry is out of reach, so its downloads must be in the npm cache first.
run(process.execPath, [new URL('./prime-package-cache.mjs', import.meta.url).pathname]);

const flags = namespaceFlags();
if (!flags) {
  console.log('run-tests: no private network namespace here; running in the current one');
  process.exit(runSteps());
}
console.log(`run-tests: running the tests in a private network namespace (unshare ${flags.join(' ')}: loopback only)`);
process.exit(run('unshare', [...flags, process.execPath, new URL(import.meta.url).pathname], { ...process.env, [INSIDE]: '1' }));
