// Everything one run creates (peers, sockets, engines, servers, timers) is registered on a
// Scope, and the Scope is closed when the run ends — normally, by an error, or by its time
// bound — so a timed-out run never leaves anything behind for the next one.

type Closer = () => unknown;

export class Scope {
  private closers: Closer[] = [];
  private closed = false;

  /** Registers a cleanup; runs at once when the scope is already closed. */
  add(close: Closer): void {
    if (this.closed) {
      void safe(close);
      return;
    }
    this.closers.push(close);
  }

  /** A setTimeout that is cleared with the scope. */
  timeout(fn: () => void, ms: number): NodeJS.Timeout {
    const t = setTimeout(fn, ms);
    this.add(() => clearTimeout(t));
    return t;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs cleanups in reverse order of registration; each bounded to `graceMs`. */
  async close(graceMs = 5000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const list = this.closers.reverse();
    this.closers = [];
    for (const c of list) await withBound(safe(c), graceMs);
  }
}

async function safe(fn: Closer): Promise<void> {
  try {
    await fn();
  } catch {
    // cleanup of something already broken: nothing more to do
  }
}

function withBound(p: Promise<void>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<void>((r) => (t = setTimeout(r, ms)))]).finally(() => clearTimeout(t));
}

export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no result within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** A whole run over its time bound (as opposed to one wait inside it timing out). */
export class RunTimeoutError extends TimeoutError {
  constructor(what: string, ms: number) {
    super(what, ms);
    this.name = 'RunTimeoutError';
  }
}

/** Resolves with `fn`'s result, or rejects with RunTimeoutError after `ms`; the scope closes either way. */
export async function bounded<T>(what: string, ms: number, fn: (scope: Scope) => Promise<T>): Promise<T> {
  const scope = new Scope();
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fn(scope),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new RunTimeoutError(what, ms)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
    await scope.close();
  }
}

/** Waits until `test()` is true (checked every `everyMs`), or rejects after `ms` or when `test` throws. */
export function until(what: string, test: () => boolean, ms: number, everyMs = 2): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = (): void => {
      try {
        if (test()) return resolve();
      } catch (e) {
        return reject(e);
      }
      if (Date.now() - start > ms) return reject(new TimeoutError(what, ms));
      setTimeout(tick, everyMs);
    };
    tick();
  });
}

/** An event-style promise: `once(resolve)` style helpers built on a callback registration. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
