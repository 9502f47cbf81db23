// Condensation statistics on hidden states with known geometry, and Spearman ρ on known ranks.
import { describe, it, expect } from 'vitest';
import { CONDENSATION_BINS, CondensationStats, condensationMetrics } from '../../../shared/generation/condensation.ts';
import { averageRanks, condensationStats, layerCondensation, spearman } from './condensation.ts';

/** Rows of a [tokens × dim] matrix from a function of (token, component). */
function states(tokens: number, dim: number, f: (i: number, k: number) => number): Float32Array {
  const out = new Float32Array(tokens * dim);
  for (let i = 0; i < tokens; i++) for (let k = 0; k < dim; k++) out[i * dim + k] = f(i, k);
  return out;
}

describe('layerCondensation', () => {
  it('gives mean 1 for identical directions, whatever their lengths', () => {
    const l = layerCondensation(0, states(10, 4, (i, k) => (i + 1) * (k + 1)), 10, 4);
    expect(l.meanCosine).toBeCloseTo(1, 6);
    expect(l.pairs).toBe(45);
    expect(l.histogram[CONDENSATION_BINS - 1]).toBe(45);
  });

  it('gives mean 0 for orthogonal vectors, all in the bin that starts at 0', () => {
    const l = layerCondensation(0, states(8, 8, (i, k) => (i === k ? 3 : 0)), 8, 8);
    expect(l.meanCosine).toBe(0);
    expect(l.histogram[CONDENSATION_BINS / 2]).toBe(28);
  });

  it('gives −1 for opposite vectors and counts every pair once', () => {
    const l = layerCondensation(0, new Float32Array([1, 0, -2, 0]), 2, 2);
    expect(l.meanCosine).toBe(-1);
    expect(l.histogram[0]).toBe(1);
  });

  it('matches a hand-computed mixed case', () => {
    // e1, e2, (e1+e2)/√2: cosines 0, 1/√2, 1/√2
    const l = layerCondensation(0, new Float32Array([1, 0, 0, 1, 1, 1]), 3, 2);
    expect(l.meanCosine).toBeCloseTo(Math.SQRT2 / 3, 6);
    const bin = Math.floor(((Math.SQRT1_2 + 1) / 2) * CONDENSATION_BINS);
    expect(l.histogram[bin]).toBe(2);
    expect(l.histogram.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('histogram counts sum to T(T−1)/2 on random states', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const l = layerCondensation(0, states(50, 16, () => rand()), 50, 16);
    expect(l.histogram.reduce((a, b) => a + b, 0)).toBe(1225);
    expect(Math.abs(l.meanCosine)).toBeLessThan(0.1);
  });

  it('rejects mismatched shapes', () => {
    expect(() => layerCondensation(2, new Float32Array(5), 2, 3)).toThrow(/layer 2/);
    expect(() => layerCondensation(0, new Float32Array(3), 1, 3)).toThrow(/at least 2 tokens/);
  });
});

describe('spearman', () => {
  it('is ±1 for monotone relations and handles ties by average ranks', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 1000])).toBe(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(averageRanks([10, 20, 20, 30])).toEqual([1, 2.5, 2.5, 4]);
    // ranks x 1..5, y = [2,1,4,3,5]: Σd² = 4, ρ = 1 − 6·4/(5·24) = 0.8
    expect(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])).toBeCloseTo(0.8, 12);
    expect(spearman([1, 2, 3], [5, 5, 5])).toBeNull();
    expect(spearman([1], [1])).toBeNull();
  });
});

describe('condensationStats', () => {
  it('reports per-layer means, a rising trend over depth, and valid metrics', () => {
    const t = 12;
    const d = 6;
    // each layer mixes a shared direction in more strongly: states condense with depth
    const layers = [0, 0.5, 1, 2, 4].map((shared) => states(t, d, (i, k) => (k === 0 ? shared : 0) + (k === 1 + (i % 5) ? 1 : 0)));
    const stats = condensationStats(layers, t, d);
    expect(CondensationStats.safeParse(stats).success).toBe(true);
    const means = stats.layers.map((l) => l.meanCosine);
    for (let i = 1; i < means.length; i++) expect(means[i]).toBeGreaterThan(means[i - 1]!);
    expect(stats.spearmanRho).toBe(1);
    const m = condensationMetrics(stats);
    expect(m['diag/condensation/layer_4']).toBe(means[4]);
    expect(m['diag/condensation/spearman']).toBe(1);
  });
});
