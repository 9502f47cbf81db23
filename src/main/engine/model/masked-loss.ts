// Cross-entropy that skips targets equal to -100 (prompt and padding positions of fine-tuning rows), exactly as
// PyTorch's `cross_entropy(ignore_index=-100, label_smoothing=ε)`: the mean over the targets that count.
import { tf } from '../tf.ts';
import { logSumExp } from '../ops.ts';

export const IGNORED_TARGET = -100;

export interface MaskedLossOptions {
  labelSmoothing?: number;
  zLoss?: number;
}

/** logits [N, V], targets [N] int32 with -100 where the loss does not count; 0 when no target counts. */
export function maskedCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, opts: MaskedLossOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    const V = logits.shape[1];
    const eps = opts.labelSmoothing ?? 0;
    const counted = tf.cast(tf.notEqual(targets, IGNORED_TARGET), 'float32');
    // Ignored rows take class 0 so oneHot stays in range; their weight of 0 removes them from value and gradient.
    const safe = tf.where(tf.notEqual(targets, IGNORED_TARGET), targets, tf.zerosLike(targets));
    const lse = logSumExp(logits);
    const logp = tf.sub(logits, lse);
    let q: tf.Tensor = tf.oneHot(safe, V);
    if (eps > 0) q = tf.add(tf.mul(q, 1 - eps), eps / V);
    const perRow = tf.neg(tf.sum(tf.mul(q, logp), -1));
    const n = tf.maximum(tf.sum(counted), 1);
    let loss = tf.div(tf.sum(tf.mul(perRow, counted)), n) as tf.Scalar;
    const z = opts.zLoss ?? 0;
    if (z > 0) loss = tf.add(loss, tf.mul(z, tf.div(tf.sum(tf.mul(tf.square(tf.reshape(lse, [-1])), counted)), n))) as tf.Scalar;
    return loss;
  });
}
