// Global-norm gradient clipping as torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) when above.
import { tf } from '../tf.ts';
import { SUM_SQUARES } from '../kernels/wasm-optim.ts';
import { wasmKernelActive } from '../kernels/wasm.ts';

export type Grads = Map<string, tf.Tensor>;

/** L2 norm over all gradients (one host read). */
export function globalNorm(grads: Grads): number {
  const gs = [...grads.values()];
  if (gs.length === 0) return 0;
  // On wasm one kernel reads every gradient once; elsewhere square, sum and addN.
  const fused = wasmKernelActive(SUM_SQUARES);
  const sq = fused
    ? (tf.engine().runKernel(SUM_SQUARES, Object.fromEntries(gs.map((g, i) => [`g${i}`, g])), {}) as tf.Scalar)
    : tf.tidy(() => tf.addN(gs.map((g) => tf.sum(tf.square(g)))));
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
