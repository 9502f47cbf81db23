// Grid bookkeeping on the renderer side: merging streamed cell updates into the grid, looking cells up,
// and labelling columns so "same run at several steps" and "several runs" both read clearly.
import type { Grid, GridCell, GridColumn, ResolvedCheckpoint } from '../../../shared/api/samples.ts';
import { nearIdenticalCounts } from '../../../shared/generation/metrics.ts';

export function cellAt(grid: Grid, row: number, col: number): GridCell | null {
  return grid.cells[row * grid.columns.length + col] ?? null;
}

/** Applies one `sample.gridCell` event: the cell and its column's updated summary. */
export function mergeGridCell(grid: Grid, cell: GridCell, column: GridColumn): Grid {
  const width = grid.columns.length;
  if (cell.row < 0 || cell.col < 0 || cell.col >= width || cell.row >= grid.rows.length) return grid;
  const cells = grid.cells.slice();
  cells[cell.row * width + cell.col] = cell;
  const columns = grid.columns.slice();
  columns[cell.col] = column;
  return { ...grid, cells, columns };
}

/** Column headers: the step alone when every column is one run, else "run @ step". */
export function columnLabels(columns: readonly { checkpoint: ResolvedCheckpoint }[]): string[] {
  const runs = new Set(columns.map((c) => c.checkpoint.runId));
  return columns.map((c) => (runs.size <= 1 ? `step ${c.checkpoint.step}` : `${c.checkpoint.runName} @ ${c.checkpoint.step}`));
}

export function gridProgress(grid: Grid): { done: number; total: number } {
  const done = grid.cells.filter((c) => c.status === 'done' || c.status === 'error' || c.status === 'cancelled').length;
  return { done, total: grid.cells.length };
}

/** Prompts typed one per line become grid rows; blank lines are skipped. */
export function promptsFromLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** Spreads `count` steps evenly over the available ones (always including the newest), for "same run at several steps". */
export function spreadSteps(steps: readonly number[], count: number): number[] {
  const sorted = [...new Set(steps)].sort((a, b) => a - b);
  if (count <= 0 || sorted.length === 0) return [];
  if (sorted.length <= count) return sorted;
  if (count === 1) return [sorted[sorted.length - 1]!];
  const picked = new Set<number>();
  for (let i = 0; i < count; i++) picked.add(sorted[Math.round((i * (sorted.length - 1)) / (count - 1))]!);
  return [...picked].sort((a, b) => a - b);
}

/**
 * For every cell of a column, how many other prompts' outputs in that column are near-identical to it (byte 4-gram
 * Jaccard ≥ 0.8, the column summary's sameness measure); 0 where the cell has no sample yet.
 */
export function alikeCounts(cells: readonly (GridCell | null)[]): number[] {
  const encoder = new TextEncoder();
  const withText = cells.map((c, i) => ({ i, text: c?.sample?.text ?? null })).filter((x): x is { i: number; text: string } => x.text !== null);
  const counts = nearIdenticalCounts(withText.map((x) => encoder.encode(x.text)));
  const out = cells.map(() => 0);
  withText.forEach((x, k) => (out[x.i] = counts[k]!));
  return out;
}
