// CSV export of the raw (never smoothed, never downsampled) series: one row per step, one column per key.
import type { ReadonlySeries } from './series-buffer.ts';

export function seriesToCsv(columns: readonly { name: string; series: ReadonlySeries }[]): string {
  const idx = columns.map(() => 0);
  const lines: string[] = [['step', ...columns.map((c) => csvField(c.name))].join(',')];
  for (;;) {
    let step = Infinity;
    columns.forEach((c, k) => {
      if (idx[k] < c.series.length) step = Math.min(step, c.series.steps[idx[k]]);
    });
    if (step === Infinity) break;
    const row = [String(step)];
    columns.forEach((c, k) => {
      if (idx[k] < c.series.length && c.series.steps[idx[k]] === step) row.push(String(c.series.values[idx[k]++]));
      else row.push('');
    });
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
