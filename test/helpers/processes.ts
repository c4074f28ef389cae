// Child processes for tests: spawn, wait until they say they are ready, stop them by pid.
// Every child is tracked so `stopAllProcesses()` in an afterAll can end whatever a test left running,
// and a last-resort exit hook SIGKILLs survivors so a crashed test file never leaks processes.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createServer } from 'node:net';

/** Keep at most this much output per child (for error messages), dropping the oldest. */
const MAX_OUTPUT_CHARS = 64 * 1024;

export interface SpawnProcessOptions {
  /** Working directory; defaults to the current one. */
  cwd?: string;
  /** Extra environment, merged over process.env. */
  env?: NodeJS.ProcessEnv;
  /** Name used in error messages; defaults to the command. */
  name?: string;
  /** Copy the child's output to this process's stderr (debugging). Default false. */
  echo?: boolean;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the child has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  /** True once the child has exited. */
  hasExited(): boolean;
  /** Everything the child wrote so far (stdout and stderr interleaved, capped to the last 64 KiB). */
  output(): string;
  /**
   * Resolves with the first line (already written or future) on `stream` matching `pattern`.
   * Rejects on timeout (default 15 s) or if the child exits first; the error carries recent output.
   */
  waitForLine(pattern: RegExp, opts?: { timeoutMs?: number; stream?: 'stdout' | 'stderr' | 'both' }): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL after `graceMs` (default 3000). Resolves once the child has exited. */
  stop(graceMs?: number): Promise<ExitInfo>;
}

const running = new Set<SpawnedProcess>();

// Last resort for a test file that forgets its afterAll or dies: do not leave children behind.
process.once('exit', () => {
  for (const p of running) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

type LineListener = (line: string, stream: 'stdout' | 'stderr') => void;

/** Spawns `command args` with piped output; the child is tracked until it exits. */
export function spawnProcess(command: string, args: readonly string[] = [], opts: SpawnProcessOptions = {}): SpawnedProcess {
  const name = opts.name ?? command;
  const spawnOpts: SpawnOptions = {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  };
  const child = spawn(command, [...args], spawnOpts);
  let out = '';
  const lines: Array<{ line: string; stream: 'stdout' | 'stderr' }> = [];
  const lineListeners = new Set<LineListener>();
  let exitInfo: ExitInfo | undefined;

  const exited = new Promise<ExitInfo>((resolve) => {
    // 'close' fires after the output streams are drained, so waitForLine sees every last line.
    child.once('close', (code, signal) => {
      exitInfo = { code, signal };
      running.delete(handle);
      resolve(exitInfo);
    });
    child.once('error', (err) => {
      out += `\n[spawn error] ${err.message}\n`;
      if (child.pid === undefined) {
        exitInfo = { code: null, signal: null };
        running.delete(handle);
        resolve(exitInfo);
      }
    });
  });

  const attach = (stream: NodeJS.ReadableStream | null, which: 'stdout' | 'stderr'): void => {
    if (!stream) return;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      if (opts.echo) process.stderr.write(`[${name}] ${chunk}`);
      out = (out + chunk).slice(-MAX_OUTPUT_CHARS);
      partial += chunk;
      const parts = partial.split(/\r?\n/);
      partial = parts.pop() ?? '';
      for (const line of parts) emitLine(line, which);
    });
    stream.on('end', () => {
      if (partial) emitLine(partial, which);
      partial = '';
    });
  };
  const emitLine = (line: string, stream: 'stdout' | 'stderr'): void => {
    lines.push({ line, stream });
    if (lines.length > 2000) lines.shift();
    for (const l of lineListeners) l(line, stream);
  };
  attach(child.stdout, 'stdout');
  attach(child.stderr, 'stderr');

  const recent = (): string => out.slice(-4000);

  const handle: SpawnedProcess = {
    name,
    get pid() {
      if (child.pid === undefined) throw new Error(`${name}: process did not start\n${recent()}`);
      return child.pid;
    },
    child,
    exited,
    hasExited: () => exitInfo !== undefined,
    output: () => out,
    waitForLine(pattern, { timeoutMs = 15_000, stream = 'stdout' } = {}) {
      const accepts = (s: 'stdout' | 'stderr'): boolean => stream === 'both' || stream === s;
      for (const l of lines) {
        const m = accepts(l.stream) ? l.line.match(pattern) : null;
        if (m) return Promise.resolve(m);
      }
      return new Promise<RegExpMatchArray>((resolve, reject) => {
        const cleanup = (): void => {
          clearTimeout(timer);
          lineListeners.delete(listener);
        };
        const listener: LineListener = (line, s) => {
          const m = accepts(s) ? line.match(pattern) : null;
          if (m) {
            cleanup();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${name}: no ${stream} line matching ${pattern} within ${timeoutMs} ms; output:\n${recent()}`));
        }, timeoutMs);
        lineListeners.add(listener);
        void exited.then((info) => {
          if (!lineListeners.has(listener)) return;
          cleanup();
          reject(new Error(`${name}: exited (code ${info.code}, signal ${info.signal}) before a line matching ${pattern}; output:\n${recent()}`));
        });
      });
    },
    stop: (graceMs = 3000) => stopChild(handle, graceMs),
  };
  if (child.pid !== undefined) running.add(handle);
  return handle;
}

async function stopChild(p: SpawnedProcess, graceMs: number): Promise<ExitInfo> {
  if (p.hasExited() || p.child.pid === undefined) return p.exited;
  signal(p.child.pid, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const escalated = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      if (!p.hasExited() && p.child.pid !== undefined) signal(p.child.pid, 'SIGKILL');
      resolve();
    }, graceMs);
  });
  const info = await Promise.race([p.exited, escalated.then(() => p.exited)]);
  clearTimeout(timer);
  return info;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * Spawns a process and resolves once it prints a line matching `readyLine`. If it never does, the
 * process is stopped and the promise rejects with its output.
 */
export async function startProcess(
  command: string,
  args: readonly string[],
  opts: SpawnProcessOptions & { readyLine: RegExp; timeoutMs?: number; stream?: 'stdout' | 'stderr' | 'both' },
): Promise<{ proc: SpawnedProcess; match: RegExpMatchArray }> {
  const proc = spawnProcess(command, args, opts);
  try {
    const match = await proc.waitForLine(opts.readyLine, { timeoutMs: opts.timeoutMs, stream: opts.stream });
    return { proc, match };
  } catch (err) {
    await proc.stop(1000);
    throw err;
  }
}

/** Stops one process by pid if it is one of ours (SIGTERM, SIGKILL after the grace). */
export async function killProcess(pid: number, graceMs = 3000): Promise<void> {
  for (const p of running) {
    if (p.child.pid === pid) {
      await p.stop(graceMs);
      return;
    }
  }
}

/** Stops every child still running (for afterAll / afterEach). */
export async function stopAllProcesses(graceMs = 3000): Promise<void> {
  await Promise.all([...running].map((p) => p.stop(graceMs)));
}

/** Pids of the children still running (for asserting that nothing leaked). */
export function runningPids(): number[] {
  return [...running].map((p) => p.pid);
}

/** True if a process with this pid exists (signal 0 probe; a zombie counts as gone only once reaped). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A TCP port that was free on 127.0.0.1 a moment ago. Only for programs that cannot listen on
 * port 0 themselves (redis-server, a CLI); in-process servers should listen on 0 directly.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('freePort: no port assigned'))));
    });
  });
}
