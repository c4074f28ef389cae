// Token buckets for the per-second limits of SPEC §5. The client enforces the same limits with
// its own sliding one-second window; frames then cross the network, which bunches them up or
// spreads them out. A bucket holding exactly `limit` tokens would refuse a client that never
// broke its window, so each bucket holds limit + 10% (at least 1 extra) and refills at `limit`
// per second: a burst slightly above the window is tolerated, the sustained rate is not.
// Buckets are process-local: with several processes the limit holds per process. They are keyed by
// uid, not by session, and survive a logout, so logging in again does not refill them.

export const BUCKET_SLACK = 0.1;

export class TokenBucket {
  readonly capacity: number;
  private tokens: number;
  private last: number;

  constructor(readonly perSecond: number, now = Date.now()) {
    this.capacity = Math.max(perSecond + 1, Math.ceil(perSecond * (1 + BUCKET_SLACK)));
    this.tokens = this.capacity;
    this.last = now;
  }

  available(now = Date.now()): number {
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
    }
    return this.tokens;
  }

  take(n: number, now = Date.now()): void {
    this.available(now);
    this.tokens -= n;
  }

  /** True when the bucket is full, i.e. forgetting it changes nothing. */
  isIdle(now = Date.now()): boolean {
    return this.available(now) >= this.capacity;
  }
}

export interface Charge {
  key: string;
  perSecond: number;
  count: number;
}

/** A keyed set of buckets with all-or-nothing charging across several of them. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(sweepMs = 30_000) {
    this.sweeper = setInterval(() => this.sweep(), sweepMs);
    this.sweeper.unref();
  }

  /**
   * Takes every charge, or none when any bucket lacks tokens. `reserve` (a fraction of each
   * bucket's capacity) must be left over: lower-priority traffic passes a reserve so it cannot
   * starve the rest.
   */
  tryCharge(charges: readonly Charge[], now = Date.now(), reserve = 0): boolean {
    const merged = new Map<string, Charge>();
    for (const c of charges) {
      if (c.count <= 0) continue;
      const m = merged.get(c.key);
      merged.set(c.key, m ? { ...m, count: m.count + c.count } : { ...c });
    }
    const picked: [TokenBucket, number][] = [];
    for (const c of merged.values()) {
      let bucket = this.buckets.get(c.key);
      if (!bucket || bucket.perSecond !== c.perSecond) this.buckets.set(c.key, (bucket = new TokenBucket(c.perSecond, now)));
      if (bucket.available(now) - c.count < bucket.capacity * reserve) return false;
      picked.push([bucket, c.count]);
    }
    for (const [bucket, n] of picked) bucket.take(n, now);
    return true;
  }

  /**
   * Charges items in order, each all-or-nothing, and stops at the first that does not fit.
   * Returns how many were charged.
   */
  chargePrefix(items: readonly (readonly Charge[])[], now = Date.now(), reserve = 0): number {
    let n = 0;
    while (n < items.length && this.tryCharge(items[n], now, reserve)) n++;
    return n;
  }

  close(): void {
    clearInterval(this.sweeper);
    this.buckets.clear();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, bucket] of this.buckets) if (bucket.isIdle(now)) this.buckets.delete(key);
  }
}
