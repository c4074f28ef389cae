// A throwaway redis-server per test file: 127.0.0.1 only, a free port, no persistence, a temp dir.
// restart() brings it back on the same port (empty, since nothing is saved) so tests can check how
// the signaling cluster copes with Redis going away and returning.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnProcess, type SpawnedProcess } from './processes.js';

export interface RedisServer {
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** Pid of the current redis-server process (changes on restart). */
  readonly pid: number;
  /** Stops the server (SIGTERM, SIGKILL after 3 s) and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Stops the server and starts a fresh one on the same port; resolves once it answers PING. */
  restart(): Promise<void>;
  /** Stops the server but keeps the port reserved for a later start() (to test Redis being down). */
  kill(): Promise<void>;
  /** Starts the server again on the same port after kill(). */
  start(): Promise<void>;
}

export interface StartRedisOptions {
  /** Port to use; default: a free one (retried on a bind race). */
  port?: number;
  /** How long to wait for PING to answer; default 15 s. */
  startTimeoutMs?: number;
  /** Copy redis-server's log to stderr. Default false. */
  echo?: boolean;
}

const live = new Set<RedisServer>();

/** Starts a redis-server on 127.0.0.1 and resolves once it answers PING. */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisServer> {
  const timeoutMs = opts.startTimeoutMs ?? 15_000;
  const dir = mkdtempSync(join(tmpdir(), 'rtsmesh-redis-'));
  let proc: SpawnedProcess | undefined;
  let port = opts.port ?? 0;

  const launch = async (): Promise<void> => {
    proc = spawnProcess(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'],
      { name: `redis-server:${port}`, cwd: dir, echo: opts.echo },
    );
    await waitForPing(port, proc, timeoutMs);
  };

  // The port from freePort() may be taken by someone else before redis binds it: try a few.
  for (let attempt = 1; ; attempt++) {
    if (opts.port === undefined) port = await freePort();
    try {
      await launch();
      break;
    } catch (err) {
      await proc?.stop(1000);
      const bindRace = proc?.hasExited() && /Address already in use/i.test(proc.output());
      if (!bindRace || opts.port !== undefined || attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }

  let stopped = false;
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      if (!proc || proc.hasExited()) throw new Error(`redis-server on ${port} is not running`);
      return proc.pid;
    },
    async kill() {
      await proc?.stop(3000);
    },
    async start() {
      if (stopped) throw new Error('redis-server was stopped for good; start a new one');
      if (proc && !proc.hasExited()) return;
      // Right after a kill the port can briefly still be held; retry the bind a few times.
      for (let attempt = 1; ; attempt++) {
        try {
          await launch();
          return;
        } catch (err) {
          await proc?.stop(1000);
          if (attempt >= 5) throw err;
          await new Promise((r) => setTimeout(r, 200 * attempt));
        }
      }
    },
    async restart() {
      await server.kill();
      await server.start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      live.delete(server);
      await proc?.stop(3000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(server);
  return server;
}

/** Stops every Redis started by this file's tests (for afterAll). */
export async function stopAllRedis(): Promise<void> {
  await Promise.all([...live].map((r) => r.stop()));
}

async function waitForPing(port: number, proc: SpawnedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.hasExited()) {
      throw new Error(`redis-server on port ${port} exited during start-up:\n${proc.output().slice(-2000)}`);
    }
    // Checking the pid, not just PING, matters: if the port was grabbed by another test's Redis in
    // the freePort() race, that one would answer while ours is still failing to bind.
    if ((await serverPid(port)) === proc.pid) return;
    if (Date.now() > deadline) {
      throw new Error(`redis-server on port ${port} did not answer within ${timeoutMs} ms:\n${proc.output().slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One PING over a raw socket (RESP inline command); true on +PONG. */
export function pingOnce(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
  });
}

/** process_id from `INFO server` over a raw socket, or undefined if nothing answers. */
function serverPid(port: number, timeoutMs = 1000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (pid: number | undefined): void => {
      sock.destroy();
      resolve(pid);
    };
    sock.setTimeout(timeoutMs, () => done(undefined));
    sock.once('error', () => done(undefined));
    sock.once('connect', () => sock.write('INFO server\r\n'));
    sock.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      // Reply is a bulk string: "$<len>\r\n<len bytes>\r\n".
      const header = /^\$(\d+)\r\n/.exec(buf);
      if (!header) {
        if (buf.includes('\r\n')) done(undefined); // an error such as -LOADING
        return;
      }
      if (buf.length < header[0].length + Number(header[1])) return;
      const m = /process_id:(\d+)/.exec(buf);
      done(m ? Number(m[1]) : undefined);
    });
  });
}
