// When to try again after something failed: the connection to the signaling server (the engine's
// `reconnect` parameter) and a peer link (the link manager). One shape for both, LiveKit's: a
// policy is asked with a context object and answers a delay, or null to stop trying.

/** What a policy is told before each retry. */
export interface RetryContext {
  /** Retries made so far in this run of failures: 0 before the first retry. */
  readonly retryCount: number;
  /** Time since the run of failures started, in ms. */
  readonly elapsedMs: number;
}

/** Decides how long to wait before the next attempt, or null to give up. */
export interface RetryPolicy {
  nextRetryDelayInMs(context: RetryContext): number | null;
}

/**
 * The earlier shape of RTSParameters.reconnect, still accepted: delay before attempt `attempt`
 * (1 for the first retry), or null to give up. Called again after every failed attempt; the
 * count restarts after a successful re-login.
 */
export interface ReconnectPolicy {
  nextDelayMs(attempt: number): number | null;
}

export interface ExponentialBackoffOptions {
  /** Delay before the first retry. Default 500 ms. */
  initialMs?: number;
  /** Upper bound of the delay. Default 5000 ms. */
  maxMs?: number;
  /** Growth per retry. Default 2. */
  factor?: number;
  /** Random spread, as a fraction of the delay (0.2 = ±20 %), so clients of a restarted server do not all return at once. Default 0.2. */
  jitter?: number;
  /** Give up after this many retries. Default unlimited. */
  maxAttempts?: number;
}

/** Exponential backoff with jitter; answers in both shapes (RetryPolicy and the earlier ReconnectPolicy). */
export function exponentialBackoff(opts: ExponentialBackoffOptions = {}): RetryPolicy & ReconnectPolicy {
  const { initialMs = 500, maxMs = 5000, factor = 2, maxAttempts = Infinity } = opts;
  const jitter = Math.min(Math.max(opts.jitter ?? 0.2, 0), 1);
  const nextRetryDelayInMs = ({ retryCount }: RetryContext): number | null => {
    if (retryCount >= maxAttempts) return null;
    const base = Math.min(maxMs, initialMs * factor ** Math.max(0, retryCount));
    const spread = base * jitter * (Math.random() * 2 - 1);
    return Math.max(0, Math.round(base + spread));
  };
  return {
    nextRetryDelayInMs,
    nextDelayMs: (attempt) => nextRetryDelayInMs({ retryCount: attempt - 1, elapsedMs: 0 }),
  };
}

/** Whether `v` is a policy of either shape. */
export function isRetryPolicy(v: unknown): v is RetryPolicy | ReconnectPolicy {
  const p = v as Partial<RetryPolicy & ReconnectPolicy> | null;
  return typeof p?.nextRetryDelayInMs === 'function' || typeof p?.nextDelayMs === 'function';
}

/** The one place an earlier-shape policy is adapted: a RetryPolicy is returned as is. */
export function toRetryPolicy(policy: RetryPolicy | ReconnectPolicy): RetryPolicy {
  if ('nextRetryDelayInMs' in policy && typeof policy.nextRetryDelayInMs === 'function') return policy;
  const legacy = policy as ReconnectPolicy;
  return { nextRetryDelayInMs: ({ retryCount }) => legacy.nextDelayMs(retryCount + 1) };
}
