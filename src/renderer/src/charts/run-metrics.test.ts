// Run metrics: history then live points, non-finite wire values, clipped-step join and CSV export.
import { describe, it, expect } from 'vitest';
import { RunMetrics } from './run-metrics.ts';
import { seriesToCsv } from './csv.ts';
import { MetricKey } from '../../../shared/metrics.ts';

describe('RunMetrics', () => {
  it('loads history, appends live points and joins clipped steps to the grad norm', () => {
    const m = new RunMetrics();
    m.loadHistory([
      { key: MetricKey.trainLoss, steps: [1, 2, 3], values: [5, 'NaN', 4] },
      { key: MetricKey.gradNorm, steps: [1, 2, 3], values: [0.5, 3, 0.7] },
      { key: MetricKey.clipped, steps: [1, 2, 3], values: [0, 1, 0] },
    ]);
    expect(m.get(MetricKey.trainLoss).length).toBe(3);
    expect(Number.isNaN(m.get(MetricKey.trainLoss).values[1])).toBe(true);
    expect(Array.from(m.clippedGrad.steps.subarray(0, m.clippedGrad.length))).toEqual([2]);
    // clipped arrives before its grad norm within a batch
    m.append([
      { step: 4, key: MetricKey.clipped, value: 1 },
      { step: 4, key: MetricKey.gradNorm, value: 2.5 },
      { step: 4, key: MetricKey.trainLoss, value: 'Infinity' },
    ]);
    expect(Array.from(m.clippedGrad.values.subarray(0, m.clippedGrad.length))).toEqual([3, 2.5]);
    expect(m.get(MetricKey.trainLoss).values[3]).toBe(Infinity);
    expect(m.extent()).toEqual([1, 4]);
  });

  it('keeps buffer identity across a history load, so charts holding them see the data', () => {
    const m = new RunMetrics();
    const held = m.get(MetricKey.trainLoss); // a chart configured before the history arrived
    m.loadHistory([{ key: MetricKey.trainLoss, steps: [0, 1], values: [5, 4] }]);
    expect(m.get(MetricKey.trainLoss)).toBe(held);
    expect(held.length).toBe(2);
  });

  it('exports the raw series as CSV with one row per step', () => {
    const m = new RunMetrics();
    m.loadHistory([
      { key: MetricKey.trainLoss, steps: [0, 1, 2], values: [3, 2.5, 2] },
      { key: MetricKey.valLoss, steps: [2], values: [2.2] },
    ]);
    const csv = seriesToCsv([
      { name: 'train/loss', series: m.get(MetricKey.trainLoss) },
      { name: 'val/loss', series: m.get(MetricKey.valLoss) },
    ]);
    expect(csv).toBe('step,train/loss,val/loss\n0,3,\n1,2.5,\n2,2,2.2\n');
  });
});

describe('RunMetrics gap', () => {
  it('derives val − smoothed train/ce at each eval, live and from history', () => {
    const m = new RunMetrics();
    m.loadHistory([
      { key: 'train/ce', steps: [1, 2], values: [3, 3] },
      { key: MetricKey.trainLoss, steps: [1, 2], values: [9, 9] },
      { key: MetricKey.valLoss, steps: [0, 2], values: [5, 3.5] },
    ]);
    expect(Array.from(m.gap.steps.subarray(0, m.gap.length))).toEqual([2]);
    expect(m.gap.values[0]).toBeCloseTo(0.5, 12);
    m.append([{ step: 3, key: 'train/ce', value: 3 }, { step: 3, key: MetricKey.valLoss, value: 4 }]);
    expect(m.gap.length).toBe(2);
    expect(m.gap.values[1]).toBeCloseTo(1, 12);
  });
});
