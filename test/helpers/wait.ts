// Waiting in tests: one poll loop for every helper (the server's, the messaging fakes', the peer
// pairs'). A condition, a bound and what was awaited, named in the failure.

/** Polls until cond() is true (it may be async); rejects after timeoutMs naming `what`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition', pollMs = 15): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * waitFor polling every 5 ms with a 10 s bound: for fakes and single links, which deliver within
 * milliseconds, and for conditions that sample something (a channel's buffer) as they poll.
 */
export const waitClosely = (cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> => waitFor(cond, timeoutMs, what, 5);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
