// Global-norm gradient clipping as torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) when above.
import { tf } from '../tf.ts';
import { defineKernel } from '../kernels/select.ts';
import { sumSquaresFused } from '../kernels/wasm-optim.ts';

export type Grads = Map<string, tf.Tensor>;

/** Σ x² over all the tensors; on wasm one kernel reads each once, elsewhere square, sum and addN. */
export const sumOfSquaresOp = defineKernel(
  'sum-of-squares',
  (xs: tf.Tensor[]): tf.Scalar => tf.tidy(() => tf.addN(xs.map((g) => tf.sum(tf.square(g)))) as tf.Scalar),
  { wasm: sumSquaresFused },
);

/** L2 norm over all gradients (one host read). */
export function globalNorm(grads: Grads): number {
  const gs = [...grads.values()];
  if (gs.length === 0) return 0;
  const sq = sumOfSquaresOp.run(gs);
  const norm = Math.sqrt(sq.dataSync()[0]);
  sq.dispose();
  return norm;
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
