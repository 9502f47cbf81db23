// Metric keys (DESIGN.md §4) and the shape metrics travel in, from worker to main to UI.
import { z } from 'zod';

export const MetricKey = {
  trainLoss: 'train/loss',
  /** Plain cross-entropy on the training batch (train/loss may add label smoothing and z-loss): compare with val/loss. */
  trainCe: 'train/ce',
  lr: 'train/lr',
  gradNorm: 'train/grad_norm',
  clipped: 'train/clipped',
  tokensPerS: 'train/tokens_per_s',
  stepMs: 'train/step_ms',
  tokensSeen: 'train/tokens_seen',
  valLoss: 'val/loss',
  valPpl: 'val/ppl',
} as const;

export const MetricPoint = z.object({ step: z.number().int().min(0), key: z.string().min(1).max(200), value: z.number() });
export type MetricPoint = z.infer<typeof MetricPoint>;

/**
 * A mixture-of-experts model's share of routed slots for expert e at an eval: averaged over its blocks with experts,
 * or the `layer`-th of them (every block for gpt and llama; a hybrid's attention blocks only).
 */
export function expertLoadKey(expert: number, layer?: number): string {
  return layer === undefined ? `eval/expert_load/${expert}` : `eval/expert_load/layer_${layer}/${expert}`;
}

/** Non-finite values are legal metrics (NaN loss is evidence); JSON cannot carry them, so they travel as strings. */
export const WireNumber = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);
export function toWire(v: number): number | 'NaN' | 'Infinity' | '-Infinity' {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}
export function fromWire(v: number | 'NaN' | 'Infinity' | '-Infinity'): number {
  return typeof v === 'number' ? v : Number(v);
}
