// Language-model losses on flattened logits: cross-entropy with optional label smoothing and z-loss.
import { tf } from '../tf.ts';

export interface LossOptions {
  labelSmoothing?: number;
  zLoss?: number;
}

/** Mean next-token cross-entropy. logits [N, V], targets [N] int32. */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, opts: LossOptions = {}): tf.Scalar {
  const V = logits.shape[1];
  const lse = tf.logSumExp(logits, -1, true);
  const logp = tf.sub(logits, lse);
  const eps = opts.labelSmoothing ?? 0;
  // oneHot keeps the gradient a dense product (no scatter), the same cost as gather for small vocabularies.
  let q: tf.Tensor = tf.oneHot(targets, V);
  if (eps > 0) q = tf.add(tf.mul(q, 1 - eps), eps / V);
  let loss = tf.neg(tf.mean(tf.sum(tf.mul(q, logp), -1))) as tf.Scalar;
  if (opts.zLoss && opts.zLoss > 0) loss = tf.add(loss, tf.mul(opts.zLoss, tf.mean(tf.square(lse)))) as tf.Scalar;
  return loss;
}
