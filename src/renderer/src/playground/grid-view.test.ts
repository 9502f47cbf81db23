// Grid helpers: cell updates land in the right slot with their column summary; labels, prompts, step spreads.
import { describe, expect, it } from 'vitest';
import type { Grid } from '../../../shared/api/samples.ts';
import { SampleSettings } from '../../../shared/api/samples.ts';
import { alikeCounts, cellAt, columnLabels, gridProgress, mergeGridCell, promptsFromLines, spreadSteps } from './grid-view.ts';
import type { GridCell, Sample } from '../../../shared/api/samples.ts';

function grid(rows: number, cols: number): Grid {
  return {
    id: 'g', status: 'running', promptSetId: null,
    rows: Array.from({ length: rows }, (_, i) => ({ id: `p${i + 1}`, prompt: `prompt ${i}`, expectedKeywords: [] })),
    columns: Array.from({ length: cols }, (_, i) => ({ checkpoint: { runId: 'r', runName: 'base', step: (i + 1) * 10 }, summary: null })),
    settings: SampleSettings.parse({}),
    cells: Array.from({ length: rows * cols }, (_, k) => ({ row: Math.floor(k / cols), col: k % cols, status: 'pending' as const, sampleId: null, sample: null, error: null })),
    createdAt: 0,
  };
}

describe('grid helpers', () => {
  it('merges a cell row-major and replaces its column', () => {
    const g = grid(2, 3);
    const cell = { row: 1, col: 2, status: 'error' as const, sampleId: 'x', sample: null, error: 'boom' };
    const column = { checkpoint: { runId: 'r', runName: 'base', step: 30 }, summary: null };
    const next = mergeGridCell(g, cell, column);
    expect(cellAt(next, 1, 2)).toEqual(cell);
    expect(cellAt(g, 1, 2)!.status).toBe('pending');
    expect(gridProgress(next)).toEqual({ done: 1, total: 6 });
    expect(mergeGridCell(g, { ...cell, col: 3 }, column)).toBe(g);
  });

  it('labels columns by step for one run, by run and step for several', () => {
    const g = grid(1, 2);
    expect(columnLabels(g.columns)).toEqual(['step 10', 'step 20']);
    const mixed = [...g.columns, { checkpoint: { runId: 'q', runName: 'wide', step: 5 }, summary: null }];
    expect(columnLabels(mixed)).toEqual(['base @ 10', 'base @ 20', 'wide @ 5']);
  });

  it('reads prompts one per line', () => {
    expect(promptsFromLines('a\n\n  b  \n')).toEqual(['a', 'b']);
  });

  it('spreads steps evenly, keeping the first and newest', () => {
    expect(spreadSteps([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 4)).toEqual([10, 40, 70, 100]);
    expect(spreadSteps([30, 10, 20], 5)).toEqual([10, 20, 30]);
    expect(spreadSteps([10, 20], 1)).toEqual([20]);
    expect(spreadSteps([], 3)).toEqual([]);
  });
});

describe('alikeCounts', () => {
  const cell = (text: string | null): GridCell => ({
    row: 0, col: 0, status: text === null ? 'pending' : 'done', sampleId: text === null ? null : 's', error: null,
    sample: text === null ? null : ({ text } as Sample),
  });

  it('flags outputs near-identical to other prompts’ outputs in the column, and leaves distinct ones alone', () => {
    const collapsed = 'the the the sea the the the sea the the the sea';
    const counts = alikeCounts([cell(collapsed), cell(`${collapsed} the`), cell('Call me Ishmael. Some years ago, never mind how long'), cell(null), cell(collapsed)]);
    expect(counts).toEqual([2, 2, 0, 0, 2]);
    expect(alikeCounts([cell('a whale'), cell('the ship sailed on')])).toEqual([0, 0]);
  });
});
