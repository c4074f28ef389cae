// How long to wait before the next attempt to bring a failed link back.

export interface BackoffPolicy {
  /** Delay before retry number `attempt` (0 for the first retry after a failure). */
  delayMs(attempt: number): number;
}

export interface ExponentialBackoffOptions {
  /** First delay. Default 250 ms. */
  initialMs?: number;
  /** Largest delay. Default 5 s. */
  maxMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Random spread, as a fraction of the delay (0.3 = ±30 %), so peers do not retry in lockstep. Default 0.3. */
  jitter?: number;
}

export function exponentialBackoff(opts: ExponentialBackoffOptions = {}): BackoffPolicy {
  const initialMs = opts.initialMs ?? 250;
  const maxMs = opts.maxMs ?? 5_000;
  const factor = opts.factor ?? 2;
  const jitter = Math.min(Math.max(opts.jitter ?? 0.3, 0), 1);
  return {
    delayMs(attempt: number): number {
      const base = Math.min(maxMs, initialMs * factor ** Math.max(0, attempt));
      const spread = base * jitter * (Math.random() * 2 - 1);
      return Math.max(0, Math.round(base + spread));
    },
  };
}
