// Tokens, FLOPs and the duration estimate from past runs' throughput.
import { describe, expect, it } from 'vitest';
import { RunConfig } from './config.ts';
import { estimateDuration, flopsPerToken, formatDuration, formatFlops, runBudget } from './run-budget.ts';
import { estimateParams } from './ablation/recipe.ts';

const config = RunConfig.parse({ train: { steps: 2000, batch_size: 12 }, model: { n_layer: 4, d_model: 128, block_size: 64 } });

describe('runBudget', () => {
  it('counts steps × tokens per update and ≈ 6·N FLOPs per token plus attention', () => {
    const b = runBudget(config);
    expect(b.tokens).toBe(2000 * 12 * 64);
    const params = estimateParams(config);
    if (!params.ok) throw new Error(params.reason);
    expect(flopsPerToken(params.total, config)).toBe(6 * params.total + 6 * 4 * 64 * 128);
    expect(b.flops).toBe(b.tokens * flopsPerToken(params.total, config));
  });
});

describe('estimateDuration', () => {
  const run = (tokensPerS: number, endedAt: number, status = 'finished'): { status: string; params: number; tokensPerS: number; backend: string; endedAt: number } => ({
    status, params: 1e6, tokensPerS, backend: 'wasm', endedAt,
  });

  it('divides by the median throughput of the latest finished runs', () => {
    // 6·1e6·1000 = 6e9 FLOP/s median of (500, 1000, 4000) tokens/s.
    const e = estimateDuration(6e12, [run(500, 1), run(1000, 2), run(4000, 3), run(9e9, 4, 'stopped')]);
    expect(e).toEqual({ seconds: 1000, basedOn: 3, backend: 'wasm' });
  });

  it('says nothing without a finished run to go by', () => {
    expect(estimateDuration(1e12, [])).toBeNull();
    expect(estimateDuration(1e12, [run(100, 1, 'failed')])).toBeNull();
  });

  it('formats FLOPs and durations readably', () => {
    expect(formatFlops(1.234e15)).toBe('1.23 PFLOP');
    expect(formatFlops(8.4e11)).toBe('840 GFLOP');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(720)).toBe('12 min');
    expect(formatDuration(3.4 * 3600)).toBe('3.4 h');
  });
});
