// The frame every scenario file runs in: parse flags, collect rows, write the result JSON
// (after every row, so a scenario cut off by the runner's time bound still reports what it
// measured), end every child process, exit.
import { writeFileSync } from 'node:fs';
import { log } from './log.js';
import { setDefaultMaxFailures } from './measure.js';
import type { Row, ScenarioResult } from './types.js';

export interface Ctx {
  quick: boolean;
  /** Adds a finished row to the result. */
  row(r: Row): void;
  note(text: string): void;
}

export interface ScenarioMeta {
  name: string;
  title: string;
  columns?: { sdk: string; baseline: string };
}

export async function runScenario(meta: ScenarioMeta, body: (ctx: Ctx) => Promise<void>): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? args[outAt + 1] : undefined;
  if (quick) setDefaultMaxFailures(1);
  const started = Date.now();
  const result: ScenarioResult = { ...meta, rows: [], notes: [], durationMs: 0 };
  const save = (): void => {
    result.durationMs = Date.now() - started;
    const json = JSON.stringify(result, null, 2);
    if (out) writeFileSync(out, json);
  };
  const ctx: Ctx = {
    quick,
    row: (r) => {
      result.rows.push(r);
      save();
    },
    note: (t) => {
      result.notes.push(t);
      save();
    },
  };
  // A stray rejection inside a WebRTC stack or socket must not kill the whole scenario.
  process.on('unhandledRejection', (e) => log(`unhandled rejection: ${e instanceof Error ? e.message : String(e)}`));
  process.on('uncaughtException', (e) => log(`uncaught exception: ${e.message}`));
  // The runner's time bound sends SIGTERM: exit through the hooks that end our children by pid.
  process.once('SIGTERM', () => {
    save();
    process.exit(143);
  });
  log(`${meta.name}${quick ? ' (quick)' : ''}`);
  try {
    await body(ctx);
  } catch (e) {
    result.error = e instanceof Error ? e.message : String(e);
    log(`${meta.name} failed: ${result.error}`);
  }
  save();
  if (!out) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  // Native WebRTC stacks keep threads alive after their peers close; the children are ended by
  // children.ts's exit hook (SIGKILL by pid) if a scope did not already stop them.
  process.exit(0);
}
