// Per-uid mutual exclusion across signaling processes: the in-process KeyedLock first (so one
// process never competes with itself), then a Redis lock (SET NX PX with a random token, released
// only by its holder). Login, duplicate login, join, leave, drop and kick of one uid then run one at
// a time in the whole cluster, exactly as the handlers assume in a single process.
//
// The lease bounds how long a crashed holder blocks others; handlers hold it for milliseconds.
// If Redis is unreachable the lock cannot be taken and `run` rejects: the handler replies an error.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { KeyedLock } from '../domain/serial.js';
import type { RedisKeys } from '../store/redis/redis-keys.js';
import { runScript } from '../store/redis/redis-scripts.js';

/** A held lock expires after this long even if its holder never releases it. */
export const LOCK_LEASE_MS = 5000;
/** How long `run` waits for a lock another process holds before it gives up. */
export const LOCK_WAIT_MS = 5000;

export class ClusterLock {
  private readonly local = new KeyedLock();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.local.run(key, async () => {
      const lockKey = this.keys.lock(key);
      const token = await this.acquire(lockKey);
      try {
        return await fn();
      } finally {
        // A failed release only means the lease runs out by itself.
        await runScript(this.redis, 'rtsUnlock', [lockKey], [token]).catch(() => undefined);
      }
    });
  }

  private async acquire(lockKey: string): Promise<string> {
    const token = randomUUID();
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      if ((await this.redis.set(lockKey, token, 'PX', LOCK_LEASE_MS, 'NX')) === 'OK') return token;
      if (Date.now() > deadline) throw new Error(`cluster lock ${lockKey} still held by another process after ${LOCK_WAIT_MS} ms`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
