// Ordering helpers. socket.io runs an async handler for each event as it arrives, so two events
// from one socket could finish in either order; relayed frames and WebRTC signals (offer before
// candidates) must not overtake each other, and a login must be done before the join sent right
// after it. Each socket therefore gets a SerialQueue; state changes of one uid (logins from two
// sockets, a drop timer, a kick) are serialised by a KeyedLock.

/** Runs tasks one after another. Bounded so a flooding client cannot grow it without limit. */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(private readonly maxPending = 10_000) {}

  /** Queues a task; returns false (and queues nothing) when the queue is full. */
  push(task: () => Promise<void>): boolean {
    if (this.pending >= this.maxPending) return false;
    this.pending++;
    this.tail = this.tail
      .then(task)
      .catch(() => undefined)
      .then(() => {
        this.pending--;
      });
    return true;
  }

  get size(): number {
    return this.pending;
  }
}

/** Mutual exclusion per key; keys without waiters cost nothing. */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
