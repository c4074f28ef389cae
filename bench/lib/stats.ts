// Percentiles of one run's samples, and median with min–max over several runs.
import type { Cell, StatCell } from './types.js';

/** Nearest-rank percentile (p in 0..100) of unsorted samples. NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Median of run results (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The outcome of N bounded runs of one measurement. */
export interface Outcome<T> {
  values: T[];
  runs: number;
  timeouts: number;
  errors: string[];
}

/** One figure of an outcome as a table cell. A run that failed leaves no value. */
export function cellOf<T>(o: Outcome<T>, pick: (v: T) => number, unit: string): Cell {
  const nums = o.values.map(pick).filter((n) => Number.isFinite(n));
  if (nums.length === 0) {
    if (o.errors.length > 0) return { kind: 'na', reason: shortReason(o.errors[0]) };
    if (o.timeouts > 0) return { kind: 'timeout', runs: o.runs };
    return { kind: 'na', reason: 'no value' };
  }
  const stat: StatCell = {
    kind: 'stat',
    median: median(nums),
    min: Math.min(...nums),
    max: Math.max(...nums),
    unit,
    ok: nums.length,
    runs: o.runs,
  };
  return stat;
}

export function naCell(reason: string): Cell {
  return { kind: 'na', reason: shortReason(reason) };
}

/** First line of an error, trimmed so a table cell stays readable. */
export function shortReason(reason: string): string {
  const line = reason.split('\n')[0].trim();
  return line.length > 90 ? `${line.slice(0, 87)}…` : line;
}

/**
 * a ÷ b of two figures (e.g. relay time ÷ mesh time = speed-up). Median of the quotient is the
 * quotient of medians; min–max is the widest range the runs allow (a.min/b.max … a.max/b.min).
 */
export function quotient(a: Cell, b: Cell, unit = '×'): Cell {
  if (a.kind !== 'stat') return a;
  if (b.kind !== 'stat') return b;
  return {
    kind: 'stat',
    median: a.median / b.median,
    min: a.min / b.max,
    max: a.max / b.min,
    unit,
    ok: Math.min(a.ok, b.ok),
    runs: Math.max(a.runs, b.runs),
  };
}
