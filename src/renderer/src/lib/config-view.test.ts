// The run page's one-line model and optimizer summaries, read from stored configs of either family.
import { describe, it, expect } from 'vitest';
import { RunConfig } from '../../../shared/config.ts';
import { modelSummary, optimizerSummary } from './config-view.ts';

const stored = (input: object): RunConfig => RunConfig.parse(JSON.parse(JSON.stringify(RunConfig.parse(input))));

describe('run summaries', () => {
  it('names the family, shape and grouped-query heads', () => {
    expect(modelSummary(stored({}))).toBe('gpt · 4 × 128, 4 heads');
    expect(modelSummary(stored({ model: { family: 'llama', n_head: 4, n_kv_head: 2 } }))).toBe('llama · 4 × 128, 4 heads (2 kv)');
    expect(modelSummary(stored({ model: { family: 'mamba', d_state: 8 } }))).toBe('mamba · 4 × 128, state 8');
    expect(modelSummary(stored({ model: { family: 'hybrid' } }))).toBe('hybrid MMAA · 4 × 128, 4 heads, state 16');
  });

  it('names the optimizer with its learning rates, Muon with the AdamW part', () => {
    expect(optimizerSummary(stored({}))).toBe('AdamW (lr 0.001)');
    expect(optimizerSummary(stored({ train: { optimizer: 'muon', muon: { lr: 0.05 } } }))).toBe(
      'Muon (lr 0.05) + AdamW (lr 0.001) for embeddings, head, norms',
    );
  });
});
