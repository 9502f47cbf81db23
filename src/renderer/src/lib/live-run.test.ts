// The run page's facts follow the live stream, never going back behind the stored summary.
import { describe, it, expect } from 'vitest';
import type { RunSummary } from '../../../shared/runs.ts';
import { RunMetrics } from '../charts/run-metrics.ts';
import { withLiveMetrics } from './live-run.ts';

const run = {
  id: 'r', name: 'r', hypothesis: null, notes: null, status: 'running', backend: 'wasm', backendReason: null, params: 1, steps: 5,
  plannedSteps: 100, tokensSeen: 0, tokensPerUpdate: 768, lastTrainLoss: 4, lastValLoss: null, bestValLoss: null, lastValStep: null, bestValStep: null, tokensPerS: null,
  configHash: 'h', baselineId: null, groupName: null, seed: 1, createdAt: 0, startedAt: 0, endedAt: null, error: null, archived: false, alertCount: 0, warningCount: 0,
} satisfies RunSummary;

describe('withLiveMetrics', () => {
  it('takes step, losses and throughput from the newest points', () => {
    const m = new RunMetrics();
    m.loadHistory([
      { key: 'train/loss', steps: [9, 10], values: [3.1, 3.0] },
      { key: 'val/loss', steps: [0, 10], values: [5.5, 'NaN'] },
      { key: 'val/loss-other', steps: [1], values: [1] },
      { key: 'train/tokens_per_s', steps: [10], values: [2500] },
    ]);
    const r = withLiveMetrics(run, m);
    // The only finite val loss is the one at initialisation: the latest, with its step, but no best.
    expect(r).toMatchObject({ steps: 10, lastTrainLoss: 3.0, bestValLoss: null, bestValStep: null, lastValStep: 10, tokensPerS: 2500, tokensSeen: 7680 });
    expect(Number.isNaN(r.lastValLoss)).toBe(true);
  });
  it('reports the best val loss after initialisation with its step', () => {
    const m = new RunMetrics();
    m.loadHistory([
      { key: 'train/loss', steps: [20], values: [2.5] },
      { key: 'val/loss', steps: [0, 10, 20], values: [5.5, 2.9, 3.1] },
    ]);
    expect(withLiveMetrics(run, m)).toMatchObject({ lastValLoss: 3.1, lastValStep: 20, bestValLoss: 2.9, bestValStep: 10 });
  });
  it('keeps the stored summary when it is ahead', () => {
    const m = new RunMetrics();
    m.loadHistory([{ key: 'train/loss', steps: [2], values: [4] }]);
    expect(withLiveMetrics(run, m)).toBe(run);
  });
});
