// Sorting, filtering and live upserts of the runs table.
import { describe, it, expect } from 'vitest';
import type { RunSummary } from '../../../shared/runs.ts';
import { sortRuns, filterRuns, upsertRun, queuePositions } from './runs-table.ts';

function run(p: Partial<RunSummary> & { id: string }): RunSummary {
  return {
    name: p.id, hypothesis: null, notes: null, status: 'finished', backend: 'wasm', backendReason: null, params: 1000, steps: 10,
    plannedSteps: 10, tokensSeen: 0, tokensPerUpdate: 768, lastTrainLoss: null, lastValLoss: null, bestValLoss: null, lastValStep: null, bestValStep: null, tokensPerS: null,
    configHash: 'h', baselineId: null, groupName: null, seed: 1, createdAt: 0, startedAt: 0, endedAt: 1000, error: null, archived: false,
    alertCount: 0, warningCount: 0, ...p,
  };
}

describe('runs table', () => {
  const runs = [run({ id: 'a', bestValLoss: 2.1, notes: 'warmup 200' }), run({ id: 'b', bestValLoss: null, status: 'running' }), run({ id: 'c', bestValLoss: 1.9 })];
  it('sorts with missing values last in both directions', () => {
    expect(sortRuns(runs, { key: 'bestValLoss', dir: 'asc' }).map((r) => r.id)).toEqual(['c', 'a', 'b']);
    expect(sortRuns(runs, { key: 'bestValLoss', dir: 'desc' }).map((r) => r.id)).toEqual(['a', 'c', 'b']);
  });
  it('filters on every term', () => {
    expect(filterRuns(runs, 'warmup').map((r) => r.id)).toEqual(['a']);
    expect(filterRuns(runs, 'running b').map((r) => r.id)).toEqual(['b']);
    expect(filterRuns(runs, '  ')).toHaveLength(3);
  });
  it('upserts by id', () => {
    expect(upsertRun(runs, run({ id: 'b', status: 'finished' })).find((r) => r.id === 'b')?.status).toBe('finished');
    expect(upsertRun(runs, run({ id: 'd' }))[0].id).toBe('d');
  });
});

describe('queuePositions', () => {
  it('numbers queued runs in the order they will start, and nothing else', () => {
    const runs = [
      run({ id: 'late', status: 'queued', createdAt: 20, seed: 1 }),
      run({ id: 's2', status: 'queued', createdAt: 10, seed: 2 }),
      run({ id: 's1', status: 'queued', createdAt: 10, seed: 1 }),
      run({ id: 'now', status: 'running', createdAt: 5 }),
    ];
    expect([...queuePositions(runs)]).toEqual([['s1', 1], ['s2', 2], ['late', 3]]);
  });
});
