// Global-norm gradient clipping as torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) when above.
import { tf } from '../tf.ts';
import { SUM_SQUARES } from '../kernels/wasm-optim.ts';
import { wasmKernelActive } from '../kernels/wasm.ts';

export type Grads = Map<string, tf.Tensor>;

/** Σ g² over all gradients, on the device. */
function sumSquares(grads: Grads): tf.Scalar {
  const gs = [...grads.values()];
  if (gs.length === 0) return tf.scalar(0);
  // On wasm one kernel reads every gradient once; elsewhere square, sum and addN.
  if (wasmKernelActive(SUM_SQUARES)) return tf.engine().runKernel(SUM_SQUARES, Object.fromEntries(gs.map((g, i) => [`g${i}`, g])), {}) as tf.Scalar;
  return tf.tidy(() => tf.addN(gs.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
}

/** L2 norm over all gradients (one host read). */
export function globalNorm(grads: Grads): number {
  const sq = sumSquares(grads);
  const norm = Math.sqrt(sq.dataSync()[0]);
  sq.dispose();
  return norm;
}

/** L2 norm over all gradients as a device scalar (no host read). */
export function globalNormTensor(grads: Grads): tf.Scalar {
  return tf.tidy(() => tf.sqrt(sumSquares(grads)));
}

/** The factor clipByGlobalNorm scales by, as a device scalar: max_norm / (norm + 1e-6) above max_norm, else 1. */
export function clipScale(norm: tf.Scalar, maxNorm: number): tf.Scalar {
  return tf.tidy(() => tf.where(tf.greater(norm, maxNorm), tf.div(maxNorm, tf.add(norm, 1e-6)), tf.onesLike(norm))) as tf.Scalar;
}

/**
 * Returns the pre-clip norm and whether it clipped; replaces (and disposes) the gradients in place when clipping.
 * maxNorm 0 disables clipping but still measures.
 */
export function clipByGlobalNorm(grads: Grads, maxNorm: number): { norm: number; clipped: boolean } {
  const norm = globalNorm(grads);
  const clipped = maxNorm > 0 && norm > maxNorm;
  if (clipped) {
    const coef = maxNorm / (norm + 1e-6);
    for (const [name, g] of grads) {
      grads.set(name, tf.mul(g, coef));
      g.dispose();
    }
  }
  return { norm, clipped };
}
