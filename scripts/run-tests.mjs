#!/usr/bin/env node
// `npm test`: vitest (unit + integration), then Playwright (e2e), one after the other so two
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

const INSIDE = 'RTSMESH_TEST_INSIDE_NETNS';
const steps = [
  ['npx', ['vitest', 'run']],
  ['npx', ['playwright', 'test']],
];

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  return r.status ?? 1;
}

function runSteps() {
  for (const [cmd, args] of steps) {
    const code = run(cmd, args);
    if (code !== 0) return code;
  }
  return 0;
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
  process.exit(up === 0 ? runSteps() : up);
}

const flags = namespaceFlags();
if (!flags) {
  console.log('run-tests: no private network namespace here; running in the current one');
  process.exit(runSteps());
}
console.log(`run-tests: running the tests in a private network namespace (unshare ${flags.join(' ')}: loopback only)`);
process.exit(run('unshare', [...flags, process.execPath, new URL(import.meta.url).pathname], { ...process.env, [INSIDE]: '1' }));
