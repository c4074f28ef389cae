// When to retry after the connection to the signaling server dropped (RTSParameters.reconnect).
import type { ReconnectPolicy } from './types.js';

export interface ExponentialBackoffOptions {
  /** Delay before the first retry. Default 500 ms. */
  initialMs?: number;
  /** Upper bound of the delay. Default 5000 ms. */
  maxMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Random spread, as a fraction of the delay (0.2 = ±20 %), so clients of a restarted server do not all return at once. Default 0.2. */
  jitter?: number;
  /** Give up after this many attempts. Default unlimited. */
  maxAttempts?: number;
}

export function exponentialBackoff(opts: ExponentialBackoffOptions = {}): ReconnectPolicy {
  const { initialMs = 500, maxMs = 5000, factor = 2, jitter = 0.2, maxAttempts = Infinity } = opts;
  return {
    nextDelayMs(attempt: number): number | null {
      if (attempt > maxAttempts) return null;
      const base = Math.min(maxMs, initialMs * factor ** Math.max(0, attempt - 1));
      const spread = base * jitter * (Math.random() * 2 - 1);
      return Math.max(0, Math.round(base + spread));
    },
  };
}
