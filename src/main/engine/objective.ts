// The training objective as named parts, each recorded as train/<part>: ce (plain cross-entropy, always, what
// val/loss measures), label_smoothing and z_loss (what each adds to ce), dispersion (L before its weight λ) and any
// auxiliary losses the model returns. train/loss is the cross-entropy term without the regularisers.
import { tf } from './tf.ts';
import type { TrainConfig } from '../../shared/config.ts';
import { crossEntropyTerms, softmaxCrossEntropyOp } from './model/loss.ts';
import { dispersionLoss } from './model/dispersion.ts';
import { maskedCrossEntropyTerms } from './model/masked-loss.ts';
import type { ForwardResult } from './model/types.ts';

export interface Objective {
  /** What is minimised. */
  total: tf.Scalar;
  /** Every part by name, as recorded (train/<name>). */
  parts: Map<string, tf.Scalar>;
  /** The weight each regulariser part enters `total` with; train/loss is total less these. */
  regularisers: Map<string, number>;
}

/**
 * The objective of one training micro-batch. logits come flattened to [N, V], targets [N] int32; `masked`
 * (fine-tuning rows) skips targets of -100, the prompt and padding positions.
 */
export function trainingObjective(out: ForwardResult, logits: tf.Tensor2D, targets: tf.Tensor1D, t: TrainConfig, masked = false): Objective {
  const terms = masked ? maskedCrossEntropyTerms : crossEntropyTerms;
  const ce = terms(logits, targets, { labelSmoothing: t.label_smoothing, zLoss: t.z_loss });
  const parts = new Map<string, tf.Scalar>([['ce', ce.ce]]);
  if (ce.labelSmoothing) parts.set('label_smoothing', ce.labelSmoothing);
  if (ce.zLoss) parts.set('z_loss', ce.zLoss);
  const regularisers = new Map<string, number>();
  let total = ce.value;
  const regularise = (name: string, value: tf.Scalar, weight: number): void => {
    parts.set(name, value);
    regularisers.set(name, weight);
    total = tf.add(total, weight === 1 ? value : tf.mul(weight, value)) as tf.Scalar;
  };
  if (t.dispersion.weight > 0) regularise('dispersion', dispersionLoss(out.hidden, t.dispersion.tau, t.dispersion.variant), t.dispersion.weight);
  // The model knows its own auxiliary losses' coefficients; each is recorded unweighted, like dispersion.
  for (const [name, { value, weight }] of Object.entries(out.aux ?? {})) regularise(name, value, weight);
  return { total, parts, regularisers };
}

/** What evaluation measures: plain cross-entropy (over counted targets when masked). */
export function evaluationLoss(logits: tf.Tensor2D, targets: tf.Tensor1D, masked = false): tf.Scalar {
  return masked ? maskedCrossEntropyTerms(logits, targets).ce : softmaxCrossEntropyOp.run(logits, targets);
}
