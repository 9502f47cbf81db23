// The point stored for a worker's non-finite failure: the failing value, unless the engine already logged it.
import { describe, expect, it } from 'vitest';
import { nonFiniteFailurePoints } from './failure.ts';

describe('nonFiniteFailurePoints', () => {
  it('stores the loss or the gradient norm the engine names as NaN at the failing step', () => {
    expect(nonFiniteFailurePoints(13, 'non-finite loss at step 13 (loss NaN, grad norm NaN); weights left at step 12', [])).toEqual([
      { step: 13, key: 'train/loss', value: NaN },
    ]);
    expect(nonFiniteFailurePoints(7, 'non-finite gradient norm at step 7 (loss 2.1, grad norm Infinity); weights left at step 6', [])).toEqual([
      { step: 7, key: 'train/grad_norm', value: NaN },
    ]);
  });

  it('adds nothing when the committed batch already holds a non-finite value at that step', () => {
    expect(nonFiniteFailurePoints(13, 'non-finite loss at step 13', [{ step: 13, key: 'train/loss', value: NaN }])).toEqual([]);
  });
});
