// Turns scenario results (see types.ts) into the terminal tables and the markdown section of
// docs/BENCHMARKS.md. Plain JS: bench/run.mjs loads it without a TypeScript loader.

/** A number with sensible precision: 165,123 · 212 · 41.3 · 0.41 */
export function fmt(v) {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 0.1 || a === 0) return v.toFixed(2);
  return v.toPrecision(2);
}

export function cellText(c) {
  if (!c) return '—';
  if (c.kind === 'na') return `n/a (${c.reason})`;
  if (c.kind === 'timeout') return 'timeout';
  const unit = c.unit === '×' ? '×' : ` ${c.unit}`;
  let s = `${fmt(c.median)}${unit}`;
  if (c.ok > 1 && c.min !== c.max) s += ` (${fmt(c.min)}–${fmt(c.max)})`;
  if (c.ok < c.runs) s += ` [${c.ok}/${c.runs} runs]`;
  return s;
}

export function ratioValue(row) {
  const { sdk, baseline, ratio } = row;
  if (!ratio || sdk?.kind !== 'stat' || baseline?.kind !== 'stat' || baseline.median === 0 || sdk.median === 0) return undefined;
  return ratio === 'speedup' ? baseline.median / sdk.median : sdk.median / baseline.median;
}

export function ratioText(row) {
  const r = ratioValue(row);
  return r === undefined ? '—' : `${r.toFixed(2)}×`;
}

/** 'met' | 'missed' | 'n/a' | undefined (no target). */
export function verdict(row) {
  const t = row.target;
  if (!t) return undefined;
  const v = t.on === 'ratio' ? ratioValue(row) : row.sdk?.kind === 'stat' ? row.sdk.median : undefined;
  if (v === undefined) return 'n/a';
  return (t.op === '<=' ? v <= t.value : v >= t.value) ? 'met' : 'missed';
}

function targetText(row) {
  if (!row.target) return '';
  return `${row.target.text}: ${verdict(row)}`;
}

/** A markdown table, padded so it also reads well in a terminal. */
export function table(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function scenarioTable(res) {
  const cols = res.columns ?? { sdk: 'SDK', baseline: 'baseline' };
  const rows = res.rows.map((r) => [r.case, cellText(r.sdk), cellText(r.baseline), ratioText(r), targetText(r)]);
  return table(['case', cols.sdk, cols.baseline, 'ratio', 'target'], rows);
}

export function summaryTable(results) {
  const rows = [];
  for (const [i, res] of results.entries()) {
    for (const r of res.rows) {
      if (!r.target) continue;
      rows.push([`${res.number ?? i + 1}. ${res.name}`, r.case, cellText(r.sdk), r.target.on === 'ratio' ? ratioText(r) : '', r.target.text, verdict(r)]);
    }
  }
  return table(['scenario', 'case', 'SDK', 'ratio', 'target', 'result'], rows);
}

export function machineText(m) {
  return [
    `- date: ${m.date}`,
    `- command: \`${m.command}\`${m.quick ? ' (quick mode: fewer, shorter runs — indicative only)' : ''}`,
    `- machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, ${m.os}`,
    `- load average at start / end: ${m.loadStart} / ${m.loadEnd}`,
    `- node ${m.node}; ${Object.entries(m.packages).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `- network: ${m.network}`,
    `- commit: ${m.commit}`,
  ].join('\n');
}

/** The whole results section: machine facts, summary, one table per scenario with its notes. */
export function resultsMarkdown(machine, results) {
  const out = ['## Results', '', machineText(machine), '', '### Summary of targets', '', summaryTable(results), ''];
  for (const [i, res] of results.entries()) {
    out.push(`### ${res.number ?? i + 1}. ${res.title}`, '');
    if (res.error) out.push(`Scenario failed: ${res.error}`, '');
    if (res.rows.length) out.push(scenarioTable(res), '');
    for (const n of res.notes) out.push(`- ${n}`);
    out.push(`- took ${(res.durationMs / 1000).toFixed(1)} s`, '');
  }
  return out.join('\n');
}
