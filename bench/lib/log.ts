// Progress goes to stderr so a scenario's stdout stays clean; the runner shows it live.
const started = Date.now();

export function log(msg: string): void {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  process.stderr.write(`[${t}s] ${msg}\n`);
}
