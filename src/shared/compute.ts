// Compute readouts of a run: training FLOPs per token (6N plus attention, as nanoGPT's MFU estimate and PaLM
// count them), FLOPs spent so far and epochs over the training split, recorded at each eval as compute/* metrics.
import type { RunConfig } from './config.ts';
import { estimateParams } from './ablation/recipe.ts';

export const ComputeKey = {
  /** Training FLOPs spent so far: FLOPs per token × tokens seen. */
  flops: 'compute/flops',
  /** Tokens seen / tokens in the training split. */
  epochs: 'compute/epochs',
} as const;

export interface FlopsPerToken {
  /** Parameters that multiply every token: all but the position embedding (the tied head is a real matmul). */
  n: number;
  /** 6N: forward (2N) and backward (4N) through the weights. */
  weights: number;
  /** 12·L·d·T: QKᵀ and attention × V (2·T·d each per layer forward), ×3 for the backward pass. */
  attention: number;
  total: number;
}

/** From a parameter count (a run's recorded one) and the shape; the position embedding is taken out of N. */
export function flopsPerTokenOf(params: number, m: { n_layer: number; d_model: number; block_size: number }): FlopsPerToken {
  const n = params - m.block_size * m.d_model;
  const weights = 6 * n;
  const attention = 12 * m.n_layer * m.d_model * m.block_size;
  return { n, weights, attention, total: weights + attention };
}

/** Null for families whose parameter layout is not implemented. */
export function flopsPerToken(config: RunConfig, vocabSize?: number): FlopsPerToken | null {
  const p = estimateParams(config, vocabSize);
  // A token's FLOPs follow the parameters it uses: a mixture of experts counts its active ones.
  return p.ok ? flopsPerTokenOf(p.active, config.model) : null;
}

/** The compute/* values at a point of training; FLOPs are left out where the family has no parameter count. */
export function computeMetrics(config: RunConfig, vocabSize: number, tokensSeen: number, trainTokens: number): Record<string, number> {
  const out: Record<string, number> = {};
  const f = flopsPerToken(config, vocabSize);
  if (f) out[ComputeKey.flops] = f.total * tokensSeen;
  if (trainTokens > 0) out[ComputeKey.epochs] = tokensSeen / trainTokens;
  return out;
}
