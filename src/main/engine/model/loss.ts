// Language-model losses on flattened logits: cross-entropy with optional label smoothing and z-loss.
import { tf } from '../tf.ts';
import { logSumExp } from '../ops.ts';
import { SOFTMAX_XENT, SOFTMAX_XENT_GRAD } from '../kernels/wasm-loss.ts';
import { wasmKernelActive } from '../kernels/wasm.ts';

export interface LossOptions {
  labelSmoothing?: number;
  zLoss?: number;
}

/**
 * Plain mean cross-entropy as one op with the closed-form gradient (softmax − onehot)/n: one softmax forward and
 * one pass backward (on wasm, JavaScript kernels around the stock softmax).
 */
function softmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const n = logits.shape[0];
  const onWasm = wasmKernelActive(SOFTMAX_XENT);
  // Built per call: customGrad takes tensors only, and the integer targets must not be one of its inputs.
  const op = tf.customGrad((x, save) => {
    const x2 = x as tf.Tensor2D;
    const p = tf.softmax(x2);
    // Kept for the backward pass: the caller's targets may be disposed once the forward's scope ends.
    (save as tf.GradSaveFunc)([p, targets]);
    const value = onWasm
      ? (tf.engine().runKernel(SOFTMAX_XENT, { logits: x2, p, targets }, {}) as tf.Scalar)
      : tf.mean(tf.sub(tf.reshape(logSumExp(x2), [n]), tf.sum(tf.mul(x2, tf.oneHot(targets, x2.shape[1])), -1)));
    return {
      value,
      gradFunc: (dy, saved) => {
        const [sp, st] = saved as [tf.Tensor2D, tf.Tensor1D];
        if (onWasm) return tf.engine().runKernel(SOFTMAX_XENT_GRAD, { dy: dy as tf.Tensor, p: sp, targets: st }, {}) as tf.Tensor;
        return tf.mul(tf.sub(sp, tf.oneHot(st, sp.shape[1])), tf.div(dy as tf.Tensor, n));
      },
    };
  });
  return op(logits) as tf.Scalar;
}

/** Mean next-token cross-entropy. logits [N, V], targets [N] int32. */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, opts: LossOptions = {}): tf.Scalar {
  const eps = opts.labelSmoothing ?? 0;
  const zLoss = opts.zLoss ?? 0;
  if (eps <= 0 && zLoss <= 0) return softmaxCrossEntropy(logits, targets);
  const V = logits.shape[1];
  const lse = logSumExp(logits);
  const logp = tf.sub(logits, lse);
  // oneHot keeps the gradient a dense product (no scatter), the same cost as gather for small vocabularies.
  let q: tf.Tensor = tf.oneHot(targets, V);
  if (eps > 0) q = tf.add(tf.mul(q, 1 - eps), eps / V);
  let loss = tf.neg(tf.mean(tf.sum(tf.mul(q, logp), -1))) as tf.Scalar;
  if (zLoss > 0) loss = tf.add(loss, tf.mul(zLoss, tf.mean(tf.square(lse)))) as tf.Scalar;
  return loss;
}
