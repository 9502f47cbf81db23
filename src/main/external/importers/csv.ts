// CSV logs to a run: a header row, one step column, every other column a metric named by its header.
import fs from 'node:fs';
import path from 'node:path';
import type { MetricPoint } from '../../../shared/metrics.ts';
import type { ImportedRun } from '../import-run.ts';
import { ImportError, type Progress } from './errors.ts';

/** One CSV record's fields (RFC 4180 quoting: "a,b" and "" for a quote). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

function cell(s: string): number | null {
  if (s === '') return null;
  const t = s.toLowerCase();
  if (t === 'nan') return NaN;
  if (t === 'inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

export function readCsv(file: string, opts: { stepCol?: string; name?: string; onProgress?: Progress } = {}): ImportedRun {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) throw new ImportError(`no such file: ${abs}`);
  const text = fs.readFileSync(abs, 'utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '');
  if (header.length < 2) throw new ImportError(`${abs}: the first line must be a header with a step column and at least one metric column`);
  const stepCol = opts.stepCol ?? 'step';
  const si = header.indexOf(stepCol);
  if (si < 0) throw new ImportError(`${abs}: no column "${stepCol}" (columns: ${header.join(', ')}); name the step column with --step-col`);
  const points: MetricPoint[] = [];
  const notes: string[] = [];
  const nonNumeric = new Array<number>(header.length).fill(0);
  let badSteps = 0;
  let bytes = lines[0].length + 1;
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li];
    bytes += line.length + 1;
    if (li % 10000 === 0) opts.onProgress?.(bytes, text.length);
    if (line.trim() === '') continue;
    const cells = splitCsvLine(line);
    const step = Number(cells[si]);
    if (!Number.isInteger(step) || step < 0) {
      badSteps++;
      continue;
    }
    for (let c = 0; c < header.length; c++) {
      if (c === si || cells[c] === undefined || cells[c] === '') continue;
      const v = cell(cells[c]);
      if (v === null) nonNumeric[c]++;
      else points.push({ step, key: header[c].slice(0, 200) || `column_${c + 1}`, value: v });
    }
  }
  opts.onProgress?.(text.length, text.length);
  if (badSteps) notes.push(`${badSteps} row(s) without a whole, non-negative "${stepCol}" were skipped`);
  nonNumeric.forEach((n, c) => {
    if (n) notes.push(`column "${header[c]}": ${n} non-numeric value(s) skipped`);
  });
  if (points.length === 0) throw new ImportError(`${abs}: no numeric values besides "${stepCol}"`);
  return { kind: 'csv', path: abs, name: opts.name ?? path.basename(abs).replace(/\.csv$/i, ''), sourceConfig: null, points, notes };
}
