// Mean softmax cross-entropy for wasm: the loss from the stock (XNNPACK) softmax in one JavaScript pass, and its
// gradient (p − onehot)/n in another, instead of logSumExp, oneHot, mul, sum and mean with their backward kernels.
import { tf } from '../tf.ts';
import { heap, wasmOf } from './heap.ts';
import type { KernelArgs } from './heap.ts';

export const SOFTMAX_XENT = 'LoupeSoftmaxCrossEntropy';
export const SOFTMAX_XENT_GRAD = 'LoupeSoftmaxCrossEntropyGrad';

function checkTargets(logits: tf.TensorInfo, targets: tf.TensorInfo): [number, number] {
  const [n, V] = logits.shape as [number, number];
  if (logits.shape.length !== 2 || targets.dtype !== 'int32' || targets.shape.length !== 1 || targets.shape[0] !== n) {
    throw new Error(`${SOFTMAX_XENT}: expected logits [n, V] and int32 targets [n], got [${logits.shape}] and ${targets.dtype} [${targets.shape}]`);
  }
  return [n, V];
}

/**
 * logits [n, V], p = softmax(logits), targets [n] → mean over rows of log Σ exp(x) − x[target]. log Σ exp(x) is
 * max(x) − log(max p): the largest probability is at least 1/V, so it never underflows.
 */
export function softmaxCrossEntropyKernel(args: KernelArgs): tf.TensorInfo {
  const backend = wasmOf(args);
  const { logits, p, targets } = args.inputs as Record<'logits' | 'p' | 'targets', tf.TensorInfo>;
  const [n, V] = checkTargets(logits, targets);
  const out = backend.makeOutput([], 'float32');
  const xs = heap(backend, logits) as Float32Array;
  const ps = heap(backend, p) as Float32Array;
  const ys = heap(backend, targets) as Int32Array;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * V;
    let xmax = -Infinity;
    let pmax = 0;
    for (let j = 0; j < V; j++) {
      if (xs[o + j]! > xmax) xmax = xs[o + j]!;
      if (ps[o + j]! > pmax) pmax = ps[o + j]!;
    }
    const y = ys[i]!;
    if (y < 0 || y >= V) throw new Error(`${SOFTMAX_XENT}: target ${y} outside the vocabulary [0, ${V})`);
    total += xmax - Math.log(pmax) - xs[o + y]!;
  }
  (heap(backend, out) as Float32Array)[0] = total / n;
  return out;
}

/** dy (scalar), p [n, V], targets [n] → d loss / d logits = (p − onehot(targets))·dy/n. */
export function softmaxCrossEntropyGradKernel(args: KernelArgs): tf.TensorInfo {
  const backend = wasmOf(args);
  const { dy, p, targets } = args.inputs as Record<'dy' | 'p' | 'targets', tf.TensorInfo>;
  const [n, V] = checkTargets(p, targets);
  const dx = backend.makeOutput(p.shape, 'float32');
  const ps = heap(backend, p) as Float32Array;
  const ys = heap(backend, targets) as Int32Array;
  const out = heap(backend, dx) as Float32Array;
  const scale = (heap(backend, dy) as Float32Array)[0]! / n;
  for (let i = 0; i < ps.length; i++) out[i] = ps[i]! * scale;
  for (let i = 0; i < n; i++) out[i * V + ys[i]!]! -= scale;
  return dx;
}

/**
 * Mean cross-entropy as one op around the stock softmax, these kernels computing the loss and the gradient
 * (softmax − onehot)/n. Built per call: customGrad takes tensors only, and the int32 targets must not be one of its inputs.
 */
export function softmaxCrossEntropyFused(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const op = tf.customGrad((x, save) => {
    const x2 = x as tf.Tensor2D;
    const p = tf.softmax(x2);
    // Kept for the backward pass: the caller's targets may be disposed once the forward's scope ends.
    (save as tf.GradSaveFunc)([p, targets]);
    return {
      value: tf.engine().runKernel(SOFTMAX_XENT, { logits: x2, p, targets }, {}) as tf.Scalar,
      gradFunc: (dy, saved) => {
        const [sp, st] = saved as [tf.Tensor2D, tf.Tensor1D];
        return tf.engine().runKernel(SOFTMAX_XENT_GRAD, { dy: dy as tf.Tensor, p: sp, targets: st }, {}) as tf.Tensor;
      },
    };
  });
  return op(logits) as tf.Scalar;
}
