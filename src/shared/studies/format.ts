// The architecture study's table as text (the terminal) and as cells (the Compare page): one row per arm,
// mean ± std over seeds, and Welch p against the Pure Transformer where a difference is tested.
import type { StudyCell, StudyRow, StudyTable } from '../api/studies.ts';
import { formatParamCount } from '../ablation/recipe.ts';

export interface StudyColumn {
  title: string;
  /** The cell's text for a row (a terminal's: with the p-value where one was tested). */
  text(row: StudyRow): string;
  /** A metric column's numbers and digits, for views that lay out mean ± std and p apart. */
  metric?: { cell(row: StudyRow): StudyCell; digits: number };
}

function formatP(p: number | null): string {
  if (p === null) return '';
  return p < 1e-3 ? ` (p ${p.toExponential(0)})` : ` (p ${p.toFixed(3)})`;
}

/** "2.4512 ± 0.0123", with the Welch p when the row was tested; "–" without values. */
export function formatCell(c: StudyCell, digits = 4, withP = false): string {
  if (c.mean === null) return '–';
  const sd = c.std === null ? '' : ` ± ${c.std.toFixed(digits)}`;
  return `${c.mean.toFixed(digits)}${sd}${withP ? formatP(c.p) : ''}`;
}

function formatParams(row: StudyRow): string {
  const { total, active } = row.params;
  if (!Number.isFinite(total)) return '?';
  return active === total ? formatParamCount(total) : `${formatParamCount(total)} (${formatParamCount(active)} active)`;
}

/** A metric column: mean ± std at `digits`, with Welch's p in the text when `withP`. */
function metricColumn(title: string, cell: (r: StudyRow) => StudyCell, digits: number, withP = false): StudyColumn {
  return { title, text: (r) => formatCell(cell(r), digits, withP), metric: { cell, digits } };
}

export const STUDY_COLUMNS: readonly StudyColumn[] = [
  { title: 'model', text: (r) => r.label },
  { title: 'params', text: formatParams },
  metricColumn('val loss', (r) => r.valLoss, 4, true),
  metricColumn('val ppl', (r) => r.valPpl, 2),
  metricColumn('gap (val − train)', (r) => r.gap, 4, true),
  metricColumn('loop frac', (r) => r.loopFraction, 3),
  metricColumn('seq-rep-4', (r) => r.seqRep4, 3),
  metricColumn('sameness', (r) => r.sameness, 3),
  metricColumn('tok/s', (r) => r.tokensPerS, 0),
  { title: 'seeds', text: (r) => `${r.finished}/${r.runIds.length}` },
];

/** The table for a terminal: aligned columns, then its warnings. */
export function formatStudyTable(table: StudyTable): string {
  const cells = [STUDY_COLUMNS.map((c) => c.title), ...table.rows.map((r) => STUDY_COLUMNS.map((c) => c.text(r)))];
  const widths = STUDY_COLUMNS.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const lines = cells.map((row) => row.map((text, i) => text.padEnd(widths[i]!)).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const steps = table.steps === null ? '' : `, ${table.steps} steps`;
  const head = `${table.group}${steps}: mean ± std over seeds; p: Welch's t-test against the Pure Transformer (α ${table.alpha})`;
  return [head, ...lines, ...table.warnings.map((w) => `warning: ${w}`)].join('\n');
}
