// Compute readouts: FLOPs per token against nanoGPT's estimate for GPT-2 small, and the per-eval compute/* values.
import { describe, expect, it } from 'vitest';
import { RunConfig } from './config.ts';
import { computeMetrics, flopsPerToken } from './compute.ts';

describe('flopsPerToken', () => {
  it('is 6N + 12·L·d·T with N all parameters but the position embedding (nanoGPT: GPT-2 small, N = 123.65M)', () => {
    const config = RunConfig.parse({ model: { n_layer: 12, n_head: 12, d_model: 768, block_size: 1024 } });
    const f = flopsPerToken(config, 50257)!;
    expect(f.n).toBe(123_653_376);
    expect(f.attention).toBe(12 * 12 * 768 * 1024);
    expect(f.total).toBe(6 * 123_653_376 + 12 * 12 * 768 * 1024);
    // ≈ 0.85 GFLOP per token, the figure nanoGPT's estimate_mfu uses.
    expect(f.total / 1e9).toBeCloseTo(0.855, 2);
  });

  it('counts a mixture of experts by its active parameters (top_k of the experts), not its total', () => {
    const dense = flopsPerToken(RunConfig.parse({}), 256)!;
    const moe = flopsPerToken(RunConfig.parse({ model: { moe: { experts: 4, top_k: 2 } } }), 256)!;
    // Two GPT MLPs (c_fc, c_proj and their biases) and a 128×4 router per block, 4 blocks.
    const d = 128;
    expect(moe.n - dense.n).toBe(4 * (2 * d * 4 * d + 4 * d + d) + 4 * d * 4);
    expect(moe.attention).toBe(dense.attention);
  });

  it('records FLOPs spent and epochs at an eval', () => {
    const config = RunConfig.parse({ model: { n_layer: 1, n_head: 1, d_model: 8, block_size: 4 } });
    const m = computeMetrics(config, 256, 1000, 4000);
    expect(m['compute/epochs']).toBe(0.25);
    expect(m['compute/flops']).toBe(flopsPerToken(config, 256)!.total * 1000);
    // An option the family lacks (a Mamba block has no MLP to mix) leaves nothing to count.
    expect(computeMetrics(RunConfig.parse({ model: { family: 'mamba', moe: {} } }), 256, 10, 0)).toEqual({});
  });
});
