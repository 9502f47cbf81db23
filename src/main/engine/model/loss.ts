// Language-model losses on flattened logits: cross-entropy, and the terms label smoothing and z-loss add to it.
import { tf } from '../tf.ts';
import { logSumExp } from '../ops.ts';
import { defineKernel } from '../kernels/select.ts';
import { softmaxCrossEntropyFused } from '../kernels/wasm-loss.ts';

export interface LossOptions {
  labelSmoothing?: number;
  zLoss?: number;
}

/** Mean cross-entropy as one op with the closed-form gradient (softmax − onehot)/n: one softmax forward, one pass backward. */
function softmaxCrossEntropyReference(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const n = logits.shape[0];
  // Built per call: customGrad takes tensors only, and the integer targets must not be one of its inputs.
  const op = tf.customGrad((x, save) => {
    const x2 = x as tf.Tensor2D;
    const p = tf.softmax(x2);
    // Kept for the backward pass: the caller's targets may be disposed once the forward's scope ends.
    (save as tf.GradSaveFunc)([p, targets]);
    return {
      value: tf.mean(tf.sub(tf.reshape(logSumExp(x2), [n]), tf.sum(tf.mul(x2, tf.oneHot(targets, x2.shape[1])), -1))) as tf.Scalar,
      gradFunc: (dy, saved) => {
        const [sp, st] = saved as [tf.Tensor2D, tf.Tensor1D];
        return tf.mul(tf.sub(sp, tf.oneHot(st, sp.shape[1])), tf.div(dy as tf.Tensor, n));
      },
    };
  });
  return op(logits) as tf.Scalar;
}

/** Plain mean cross-entropy; on wasm JavaScript kernels around the stock softmax. */
export const softmaxCrossEntropyOp = defineKernel('softmax-cross-entropy', softmaxCrossEntropyReference, { wasm: softmaxCrossEntropyFused });

export interface CrossEntropyTerms {
  /** The cross-entropy the objective minimises: against smoothed targets, plus the z-loss. */
  value: tf.Scalar;
  /** Plain cross-entropy (what val/loss measures). */
  ce: tf.Scalar;
  /** What label smoothing adds to ce (smoothed − plain), when enabled. */
  labelSmoothing: tf.Scalar | null;
  /** z·mean(log² Z), when enabled. */
  zLoss: tf.Scalar | null;
}

/** Cross-entropy with optional label smoothing and z-loss, and each term apart. logits [N, V], targets [N] int32. */
export function crossEntropyTerms(logits: tf.Tensor2D, targets: tf.Tensor1D, opts: LossOptions = {}): CrossEntropyTerms {
  const eps = opts.labelSmoothing ?? 0;
  const z = opts.zLoss ?? 0;
  if (eps <= 0 && z <= 0) {
    const ce = softmaxCrossEntropyOp.run(logits, targets);
    return { value: ce, ce, labelSmoothing: null, zLoss: null };
  }
  const V = logits.shape[1];
  const lse = logSumExp(logits);
  const logp = tf.sub(logits, lse);
  // oneHot keeps the gradient a dense product (no scatter), the same cost as gather for small vocabularies.
  let q: tf.Tensor = tf.oneHot(targets, V);
  if (eps > 0) q = tf.add(tf.mul(q, 1 - eps), eps / V);
  const smoothed = tf.neg(tf.mean(tf.sum(tf.mul(q, logp), -1))) as tf.Scalar;
  const zLoss = z > 0 ? (tf.mul(z, tf.mean(tf.square(lse))) as tf.Scalar) : null;
  const value = zLoss ? (tf.add(smoothed, zLoss) as tf.Scalar) : smoothed;
  // Without smoothing the targets are one-hot, so the smoothed term is the plain cross-entropy itself.
  const ce = eps > 0 ? softmaxCrossEntropyOp.run(logits, targets) : smoothed;
  return { value, ce, labelSmoothing: eps > 0 ? (tf.sub(smoothed, ce) as tf.Scalar) : null, zLoss };
}

/** Mean next-token cross-entropy (with label smoothing and z-loss when asked). logits [N, V], targets [N] int32. */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, opts: LossOptions = {}): tf.Scalar {
  return crossEntropyTerms(logits, targets, opts).value;
}
