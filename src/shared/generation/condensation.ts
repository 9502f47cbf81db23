// Condensation statistics (DESIGN §6, Liu et al. 2026) as they travel from the worker to the run page:
// per-layer mean pairwise cosine similarity, a 128-bin histogram for the heatmap, the trend over depth.
import { z } from 'zod';

export const CONDENSATION_BINS = 128;

export const LayerCondensation = z.object({
  /** Depth index as the engine numbers it: 0 = embedding output, i = output of block i. */
  layer: z.number().int().min(0),
  /** Mean cosine similarity over all pairs of distinct tokens (the diagonal, always 1, is excluded). */
  meanCosine: z.number().min(-1).max(1),
  /** Pair counts in CONDENSATION_BINS equal bins over [−1, 1]; bin b covers [−1 + 2b/B, −1 + 2(b+1)/B), the last one includes 1. */
  histogram: z.array(z.number().int().min(0)).length(CONDENSATION_BINS),
  /** Unordered pairs counted: T(T − 1) / 2. */
  pairs: z.number().int().min(0),
});
export type LayerCondensation = z.infer<typeof LayerCondensation>;

export const CondensationStats = z.object({
  tokens: z.number().int().min(2),
  dim: z.number().int().min(1),
  layers: z.array(LayerCondensation).min(1),
  /** Spearman ρ of meanCosine against depth: > 0 means representations condense with depth; null when undefined. */
  spearmanRho: z.number().min(-1).max(1).nullable(),
});
export type CondensationStats = z.infer<typeof CondensationStats>;

const condensationMetricKey = (layer: number): string => `diag/condensation/layer_${layer}`;
const CONDENSATION_TREND_KEY = 'diag/condensation/spearman';

/** The diag/condensation/* metric values recorded on eval steps (DESIGN §4). */
export function condensationMetrics(stats: CondensationStats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of stats.layers) out[condensationMetricKey(l.layer)] = l.meanCosine;
  if (stats.spearmanRho !== null) out[CONDENSATION_TREND_KEY] = stats.spearmanRho;
  return out;
}
