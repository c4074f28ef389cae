// A real coturn for tests: `turnserver` started by the test itself with explicit options (never the
// system service, never /etc/turnserver.conf thanks to `-n`), on ports picked at run time, in the
// current network namespace or in one the test made, and stopped by pid.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, type SpawnedProcess } from './processes.js';

export interface TurnServerOptions {
  /** The TURN REST shared secret (coturn `use-auth-secret`). */
  secret: string;
  /** Address to listen on and to allocate relays on. @default '127.0.0.1' */
  ip?: string;
  /** Run inside this network namespace (`ip netns exec`). @default the current one */
  netns?: string;
  /** @default 'rtsmesh' */
  realm?: string;
}

export interface TurnServer {
  /** `turn:<ip>:<port>` (UDP). */
  url: string;
  port: number;
  pid: number;
  /** Everything coturn logged so far (verbose: allocations and 401s are in it). */
  output(): string;
  stop(): Promise<void>;
}

export async function startTurnServer(opts: TurnServerOptions): Promise<TurnServer> {
  const ip = opts.ip ?? '127.0.0.1';
  // freePort probes TCP on the host's loopback; coturn listens on UDP and TCP on `ip`. A clash
  // is unlikely and fails loudly at start, so this is good enough for a test helper.
  const port = await freePort();
  const relayBase = 20_000 + ((port * 7) % 30_000);
  const dir = mkdtempSync(join(tmpdir(), 'rtsmesh-turn-'));
  const args = [
    '-n', '--no-cli', '-v', '--simple-log', '--log-file=stdout',
    `--listening-ip=${ip}`, `--listening-port=${port}`, `--relay-ip=${ip}`,
    `--min-port=${relayBase}`, `--max-port=${relayBase + 200}`,
    '--use-auth-secret', `--static-auth-secret=${opts.secret}`, `--realm=${opts.realm ?? 'rtsmesh'}`,
    // Test peers live on loopback or in private test namespaces; coturn refuses those by default.
    '--allow-loopback-peers', '--no-tls', '--no-dtls', '--no-multicast-peers',
    `--userdb=${join(dir, 'turndb')}`, `--pidfile=${join(dir, 'turnserver.pid')}`,
  ];
  const [cmd, argv] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, 'turnserver', ...args]] : ['turnserver', args];
  let proc: SpawnedProcess;
  try {
    ({ proc } = await startProcess(cmd as string, argv as string[], { name: 'turnserver', readyLine: /Total General servers/, timeoutMs: 10_000 }));
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `turn:${ip}:${port}`,
    port,
    pid: proc.pid,
    output: () => proc.output(),
    async stop() {
      await proc.stop(2000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
