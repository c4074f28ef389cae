// What a scenario process hands back to bench/run.mjs (as JSON). One row = one figure of the SDK
// beside the baseline measured in the same run; the runner turns rows into tables and markdown.

/** Several runs of one figure: median with min–max. */
export interface StatCell {
  kind: 'stat';
  median: number;
  min: number;
  max: number;
  unit: string;
  /** Runs that produced a value, out of runs attempted (shown when not all did). */
  ok: number;
  runs: number;
}
/** The figure could not be measured: SDK part missing, stack not loadable, a run threw… */
export interface NaCell {
  kind: 'na';
  reason: string;
}
/** Every run hit its time bound. */
export interface TimeoutCell {
  kind: 'timeout';
  runs: number;
}
export type Cell = StatCell | NaCell | TimeoutCell;

/**
 * How the ratio column is computed and which direction is better.
 *  'time'       ratio = sdk / baseline (lower is better; 1.10× = SDK 10 % slower)
 *  'rate'       ratio = sdk / baseline (higher is better)
 *  'speedup'    ratio = baseline / sdk (higher is better; e.g. relay time / mesh time)
 */
export type RatioMode = 'time' | 'rate' | 'speedup';

export interface Target {
  /** Human text, e.g. "SDK ≤ 1.2× raw". */
  text: string;
  /** What the target is checked against: the ratio column or the SDK value itself. */
  on: 'ratio' | 'sdk';
  op: '<=' | '>=';
  value: number;
}

export interface Row {
  case: string;
  sdk: Cell;
  baseline: Cell;
  ratio?: RatioMode;
  target?: Target;
}

export interface ScenarioResult {
  name: string;
  /** Position in the full suite (set by run.mjs). */
  number?: number;
  title: string;
  /** Column headings for this scenario's table (defaults: "SDK", "baseline"). */
  columns?: { sdk: string; baseline: string };
  rows: Row[];
  notes: string[];
  durationMs: number;
  /** Set when the scenario process failed as a whole. */
  error?: string;
}
