// Child processes of a benchmark (servers under test, load-generating clients). Each runs a .ts
// entry through tsx with an IPC channel, answers {id, cmd} requests, and is ended by its pid:
// politely ('stop'), then SIGKILL. An exit hook kills whatever a crashed scenario left.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TimeoutError } from './scope.js';

const live = new Map<number, ChildProcess>();

process.once('exit', () => {
  for (const pid of live.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export interface ChildReply {
  id: number;
  ok: boolean;
  error?: string;
  [k: string]: unknown;
}

export class BenchChild {
  private nextId = 1;
  private pending = new Map<number, { resolve: (r: ChildReply) => void; reject: (e: Error) => void }>();
  private output = '';
  readonly exited: Promise<void>;

  constructor(readonly name: string, readonly proc: ChildProcess) {
    live.set(proc.pid!, proc);
    const keep = (d: Buffer): void => {
      this.output = (this.output + d.toString()).slice(-4000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    if (process.env.BENCH_DEBUG) proc.stderr?.on('data', (d: Buffer) => process.stderr.write(`[${name}] ${d}`));
    proc.on('message', (m: ChildReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m);
      else p.reject(new Error(`${name}: ${m.error ?? 'failed'}`));
    });
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, sig) => {
        live.delete(proc.pid!);
        for (const p of this.pending.values()) p.reject(new Error(`${name} exited (${code ?? sig}) ${this.recentOutput()}`));
        this.pending.clear();
        resolve();
      });
    });
  }

  get pid(): number {
    return this.proc.pid!;
  }

  recentOutput(): string {
    return this.output.trim().split('\n').slice(-5).join(' | ');
  }

  /** Sends {cmd, ...args} and resolves with the child's reply (rejects on error/timeout/exit). */
  request(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<ChildReply> {
    const id = this.nextId++;
    return new Promise<ChildReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TimeoutError(`${this.name} ${cmd}`, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      if (!this.proc.connected) {
        this.pending.delete(id);
        clearTimeout(timer);
        reject(new Error(`${this.name} is not running ${this.recentOutput()}`));
        return;
      }
      this.proc.send({ id, cmd, ...args });
    });
  }

  /** Asks the child to stop, then SIGKILLs it by pid after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (!live.has(this.pid)) return;
    try {
      if (this.proc.connected) this.proc.send({ id: 0, cmd: 'stop' });
    } catch {
      // channel already closed
    }
    const t = setTimeout(() => {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, graceMs);
    await this.exited;
    clearTimeout(t);
  }
}

/**
 * Starts `bench/lib/<entry>.ts` (or any .ts path) under tsx with IPC and waits for its 'ready'
 * request to answer. `--expose-gc` so memory can be measured after a collection.
 */
export async function startChild(
  name: string,
  entry: string,
  args: string[] = [],
  readyTimeoutMs = 30_000,
  env?: NodeJS.ProcessEnv,
): Promise<{ child: BenchChild; ready: ChildReply }> {
  const path = entry.includes('/') ? entry : fileURLToPath(new URL(`./${entry}`, import.meta.url));
  // BENCH_CPU_PROF=<dir>: every child writes a V8 CPU profile there (Node refuses --cpu-prof in
  // NODE_OPTIONS), to see where a scenario's processes spend their time.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const proc = fork(path, args, {
    execArgv: ['--import', 'tsx', '--expose-gc', ...profile],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
    env: env ? { ...process.env, ...env } : process.env,
  });
  const child = new BenchChild(name, proc);
  try {
    const ready = await child.request('ready', {}, readyTimeoutMs);
    return { child, ready };
  } catch (e) {
    await child.stop(500);
    throw e;
  }
}
