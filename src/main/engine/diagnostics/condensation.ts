// Embedding condensation (DESIGN §6, Liu et al. 2026): how far the hidden states of one text's tokens
// collapse into a narrow cone at each depth. Plain typed-array maths on states read back from TF.js.
import { CONDENSATION_BINS, type CondensationStats, type LayerCondensation } from '../../../shared/generation/condensation.ts';

/** Hidden states of one layer: row-major [tokens × dim]. */
export type LayerStates = Float32Array | Float64Array;

/** Unit rows; a zero row stays zero (cosine 0 with everything) rather than dividing by zero. */
function unitRows(states: LayerStates, tokens: number, dim: number): Float64Array {
  const out = new Float64Array(tokens * dim);
  for (let i = 0; i < tokens; i++) {
    const o = i * dim;
    let sq = 0;
    for (let k = 0; k < dim; k++) sq += states[o + k]! * states[o + k]!;
    const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (let k = 0; k < dim; k++) out[o + k] = states[o + k]! * inv;
  }
  return out;
}

/**
 * Mean of the pairwise cosine-similarity matrix over i ≠ j (the matrix is symmetric, so this is the mean
 * over unordered pairs) and the histogram of those pairs. The diagonal is excluded: it is 1 by
 * construction and would pull short texts towards 1 by 1/T.
 */
export function layerCondensation(layer: number, states: LayerStates, tokens: number, dim: number): LayerCondensation {
  if (tokens < 2) throw new RangeError(`condensation needs at least 2 tokens, got ${tokens}`);
  if (states.length !== tokens * dim) throw new RangeError(`layer ${layer}: ${states.length} values, expected ${tokens} × ${dim}`);
  const u = unitRows(states, tokens, dim);
  const histogram = new Array<number>(CONDENSATION_BINS).fill(0);
  let sum = 0;
  for (let i = 0; i < tokens; i++) {
    const a = i * dim;
    for (let j = i + 1; j < tokens; j++) {
      const b = j * dim;
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += u[a + k]! * u[b + k]!;
      const c = Math.max(-1, Math.min(1, dot));
      sum += c;
      histogram[Math.min(CONDENSATION_BINS - 1, Math.floor(((c + 1) / 2) * CONDENSATION_BINS))]!++;
    }
  }
  const pairs = (tokens * (tokens - 1)) / 2;
  return { layer, meanCosine: Math.max(-1, Math.min(1, sum / pairs)), histogram, pairs };
}

/** Ranks 1..n with ties given their average rank. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const ranks = new Array<number>(values.length);
  for (let s = 0; s < order.length; ) {
    let e = s + 1;
    while (e < order.length && order[e]![0] === order[s]![0]) e++;
    const avg = (s + 1 + e) / 2; // mean of ranks s+1..e
    for (let k = s; k < e; k++) ranks[order[k]![1]] = avg;
    s = e;
  }
  return ranks;
}

/** Spearman ρ: Pearson correlation of average ranks; null when either side is constant or n < 2. */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new RangeError(`spearman: ${x.length} vs ${y.length} values`);
  const n = x.length;
  if (n < 2) return null;
  const rx = averageRanks(x);
  const ry = averageRanks(y);
  const mean = (n + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = rx[i]! - mean;
    const dy = ry[i]! - mean;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Condensation at every depth (layers[i] = states at depth i) and its trend over depth. */
export function condensationStats(layers: readonly LayerStates[], tokens: number, dim: number): CondensationStats {
  if (layers.length === 0) throw new RangeError('condensation needs at least one layer');
  const perLayer = layers.map((states, i) => layerCondensation(i, states, tokens, dim));
  const rho = spearman(
    perLayer.map((l) => l.layer),
    perLayer.map((l) => l.meanCosine),
  );
  return { tokens, dim, layers: perLayer, spearmanRho: rho };
}
