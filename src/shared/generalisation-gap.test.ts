// The generalisation-gap series: val minus the EMA-smoothed training cross-entropy at the eval's step.
import { describe, expect, it } from 'vitest';
import { gapSeries, gapTrainKey, TRAIN_CE_KEY } from './generalisation-gap.ts';

describe('gapSeries', () => {
  it('subtracts the smoothed train loss as of each eval step, skipping evals before any training step', () => {
    const train = { steps: [1, 2, 3, 4], values: [4, 3, 3, 2] };
    const val = { steps: [0, 2, 4], values: [5, 3.5, 2.5] };
    const g = gapSeries(train, val, 0.5);
    // EMA(α=0.5): 4 → 3.5 → 3.25 → 2.625
    expect(g.steps).toEqual([2, 4]);
    expect(g.values[0]).toBeCloseTo(3.5 - 3.5, 12);
    expect(g.values[1]).toBeCloseTo(2.5 - 2.625, 12);
  });

  it('ignores non-finite points on either side', () => {
    const g = gapSeries({ steps: [1, 2], values: [NaN, 2] }, { steps: [1, 2], values: [3, NaN] }, 0.1);
    expect(g).toEqual({ steps: [], values: [] });
  });

  it('prefers train/ce and falls back to train/loss', () => {
    expect(gapTrainKey((k) => k === TRAIN_CE_KEY)).toBe('train/ce');
    expect(gapTrainKey(() => false)).toBe('train/loss');
  });
});
