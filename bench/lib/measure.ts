// N bounded runs of one measurement: each run sets itself up, warms up, measures and is torn
// down through its Scope. A run that throws or times out is recorded, not fatal.
import { bounded, RunTimeoutError, type Scope } from './scope.js';
import type { Outcome } from './stats.js';
import { log } from './log.js';

export interface MeasureOptions {
  /** Shown in progress lines and errors. */
  label: string;
  runs: number;
  /** Time bound of one run (setup + warm-up + measurement). */
  timeoutMs: number;
  /** Stop after this many failed runs in a row (a broken part fails fast). Default 2 (--quick: 1). */
  maxFailures?: number;
}

let defaultMaxFailures = 2;
/** --quick gives up on a figure at its first failed run. */
export function setDefaultMaxFailures(n: number): void {
  defaultMaxFailures = n;
}

export async function measure<T>(opts: MeasureOptions, run: (scope: Scope, index: number) => Promise<T>): Promise<Outcome<T>> {
  const out: Outcome<T> = { values: [], runs: 0, timeouts: 0, errors: [] };
  let failedInRow = 0;
  for (let i = 0; i < opts.runs; i++) {
    failedInRow = (await runOnce(opts, out, run, i)) ? 0 : failedInRow + 1;
    if (failedInRow >= (opts.maxFailures ?? defaultMaxFailures)) break;
  }
  return out;
}

/**
 * A baseline and the SDK, run in turns (baseline 1, SDK 1, baseline 2, …) so that both see the
 * same moments of a shared machine: run one after the other, a slower minute for one side alone
 * moved their ratio by ±30 % between recordings. `sdk` undefined measures the baseline alone.
 */
export async function measurePair<B, S>(
  opts: MeasureOptions & { sdkLabel: string },
  baseline: (scope: Scope, index: number) => Promise<B>,
  sdk: ((scope: Scope, index: number) => Promise<S>) | undefined,
): Promise<{ baseline: Outcome<B>; sdk: Outcome<S> | undefined }> {
  const b: Outcome<B> = { values: [], runs: 0, timeouts: 0, errors: [] };
  const s: Outcome<S> | undefined = sdk ? { values: [], runs: 0, timeouts: 0, errors: [] } : undefined;
  const limit = opts.maxFailures ?? defaultMaxFailures;
  let bFailed = 0;
  let sFailed = 0;
  for (let i = 0; i < opts.runs; i++) {
    if (bFailed < limit) bFailed = (await runOnce(opts, b, baseline, i)) ? 0 : bFailed + 1;
    if (sdk && s && sFailed < limit) sFailed = (await runOnce({ ...opts, label: opts.sdkLabel }, s, sdk, i)) ? 0 : sFailed + 1;
    if (bFailed >= limit && (!sdk || sFailed >= limit)) break;
  }
  return { baseline: b, sdk: s };
}

/** One bounded run into `out`; false when it failed or timed out. */
async function runOnce<T>(opts: MeasureOptions, out: Outcome<T>, run: (scope: Scope, index: number) => Promise<T>, i: number): Promise<boolean> {
  out.runs++;
  try {
    const v = await bounded(opts.label, opts.timeoutMs, (scope) => run(scope, i));
    out.values.push(v);
    log(`  ${opts.label} run ${i + 1}/${opts.runs}: ${brief(v)}`);
    return true;
  } catch (e) {
    if (e instanceof RunTimeoutError) {
      out.timeouts++;
      log(`  ${opts.label} run ${i + 1}/${opts.runs}: timeout`);
    } else {
      const msg = e instanceof Error ? e.message : String(e);
      out.errors.push(msg);
      log(`  ${opts.label} run ${i + 1}/${opts.runs}: failed: ${msg.split('\n')[0]}`);
    }
    return false;
  }
}

function brief(v: unknown): string {
  if (typeof v === 'number') return v.toFixed(3);
  if (v && typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .filter(([k]) => k !== 'id' && k !== 'ok')
      .map(([k, x]) => `${k}=${typeof x === 'number' ? (Number.isInteger(x) ? x : x.toFixed(3)) : String(x)}`)
      .join(' ');
  }
  return String(v);
}
