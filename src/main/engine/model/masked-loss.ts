// Cross-entropy that skips targets equal to -100 (prompt and padding positions of fine-tuning rows), exactly as
// PyTorch's `cross_entropy(ignore_index=-100, label_smoothing=ε)`: the mean over the targets that count.
import { tf } from '../tf.ts';
import { logSumExp } from '../ops.ts';
import type { CrossEntropyTerms, LossOptions } from './loss.ts';

export const IGNORED_TARGET = -100;

/** The terms of crossEntropyTerms over counted targets only; 0 when no target counts. logits [N, V], targets [N]. */
export function maskedCrossEntropyTerms(logits: tf.Tensor2D, targets: tf.Tensor1D, opts: LossOptions = {}): CrossEntropyTerms {
  const V = logits.shape[1];
  const eps = opts.labelSmoothing ?? 0;
  const z = opts.zLoss ?? 0;
  const keep = tf.notEqual(targets, IGNORED_TARGET);
  const counted = tf.cast(keep, 'float32');
  // Ignored rows take class 0 so oneHot stays in range; their weight of 0 removes them from value and gradient.
  const safe = tf.where(keep, targets, tf.zerosLike(targets));
  const n = tf.maximum(tf.sum(counted), 1);
  const meanCounted = (perRow: tf.Tensor): tf.Scalar => tf.div(tf.sum(tf.mul(perRow, counted)), n) as tf.Scalar;
  const lse = logSumExp(logits);
  const logp = tf.sub(logits, lse);
  const onehot = tf.oneHot(safe, V);
  const ce = meanCounted(tf.neg(tf.sum(tf.mul(onehot, logp), -1)));
  let value = ce;
  let labelSmoothing: tf.Scalar | null = null;
  if (eps > 0) {
    const q = tf.add(tf.mul(onehot, 1 - eps), eps / V);
    value = meanCounted(tf.neg(tf.sum(tf.mul(q, logp), -1)));
    labelSmoothing = tf.sub(value, ce) as tf.Scalar;
  }
  const zLoss = z > 0 ? (tf.mul(z, meanCounted(tf.square(tf.reshape(lse, [-1])))) as tf.Scalar) : null;
  if (zLoss) value = tf.add(value, zLoss) as tf.Scalar;
  return { value, ce, labelSmoothing, zLoss };
}

/** The value alone (what the objective minimises). */
export function maskedCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, opts: LossOptions = {}): tf.Scalar {
  return maskedCrossEntropyTerms(logits, targets, opts).value;
}
