// The new-run editor's live readout for a candidate config.
import { describe, expect, it } from 'vitest';
import { RunConfig } from '../config.ts';
import { reviewCandidate } from './candidate.ts';

const base = RunConfig.parse({ name: 'base', model: { block_size: 128 }, train: { batch_size: 16, lr: 1e-3 } });

describe('reviewCandidate', () => {
  it('reads out a clean one-variable ablation', () => {
    const review = reviewCandidate(base, RunConfig.parse({ ...base, name: 'x', train: { ...base.train, lr: 3e-4 } }));
    expect(review.changedCount).toBe(1);
    expect(review.warning).toBeNull();
    expect(review.suggestedName).toBe('lr3e-4');
    expect(review.tokensPerUpdate).toBe(2048);
    expect(review.lrSuggestion).toBeNull();
    expect(review.lrFollowsSqrtRule).toBeNull();
    expect(review.params).toMatchObject({ ok: true, total: 842_496 });
  });

  it('suggests the √-rule LR and warns when batch and lr both changed', () => {
    const candidate = RunConfig.parse({ ...base, train: { ...base.train, batch_size: 64, lr: 2e-3 } });
    const review = reviewCandidate(base, candidate);
    expect(review.changedCount).toBe(2);
    expect(review.warning).toMatch(/Change one thing at a time/);
    expect(review.lrSuggestion).toEqual({ baseTokens: 2048, newTokens: 8192, ratio: 4, lr: 2e-3 });
    expect(review.lrFollowsSqrtRule).toBe(true);
    expect(review.suggestedName).toBe('bs64-lr2e-3');
  });

  it('reports the parameter change of an architecture ablation', () => {
    const review = reviewCandidate(base, RunConfig.parse({ ...base, model: { ...base.model, n_layer: 8 } }));
    expect(review.params.ok && review.baseParams.ok && review.params.total - review.baseParams.total).toBe(4 * (12 * 128 * 128 + 13 * 128));
    expect(review.suggestedName).toBe('L8');
  });
});
