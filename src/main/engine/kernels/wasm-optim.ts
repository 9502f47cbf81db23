// Optimizer arithmetic for wasm in single JavaScript passes: an AdamW update is ~13 elementwise kernels per
// parameter and a global gradient norm two per gradient, each paying the fixed per-kernel cost on small tensors.
import { tf } from '../tf.ts';
import { heap, wasmOf } from './heap.ts';
import type { KernelArgs } from './heap.ts';

export const ADAMW = 'LoupeAdamW';
export const SUM_SQUARES = 'LoupeSumSquares';

export interface AdamWAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Multiplier of the weight before the update: 1 − lr·weight_decay, or 1 without decay. */
  keep: number;
  /** Bias corrections 1 − β1^t and √(1 − β2^t). */
  bc1: number;
  bc2Sqrt: number;
}

/** p, g, m, v → p', m', v' with torch.optim.AdamW's arithmetic. */
export function adamWKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = wasmOf(args);
  const { p, g, m, v } = args.inputs as Record<'p' | 'g' | 'm' | 'v', tf.TensorInfo>;
  const { lr, beta1, beta2, eps, keep, bc1, bc2Sqrt } = args.attrs as unknown as AdamWAttrs;
  const p2 = backend.makeOutput(p.shape, 'float32');
  const m2 = backend.makeOutput(p.shape, 'float32');
  const v2 = backend.makeOutput(p.shape, 'float32');
  const ps = heap(backend, p) as Float32Array;
  const gs = heap(backend, g) as Float32Array;
  const ms = heap(backend, m) as Float32Array;
  const vs = heap(backend, v) as Float32Array;
  const po = heap(backend, p2) as Float32Array;
  const mo = heap(backend, m2) as Float32Array;
  const vo = heap(backend, v2) as Float32Array;
  const step = lr / bc1;
  const b1c = 1 - beta1;
  const b2c = 1 - beta2;
  // One division per element: √v/bc2 as a product with the reciprocal (differs from torch in the last bit at most).
  const invBc2 = 1 / bc2Sqrt;
  for (let i = 0; i < ps.length; i++) {
    const gi = gs[i]!;
    const mi = beta1 * ms[i]! + b1c * gi;
    const vi = beta2 * vs[i]! + b2c * gi * gi;
    mo[i] = mi;
    vo[i] = vi;
    po[i] = ps[i]! * keep - (step * mi) / (Math.sqrt(vi) * invBc2 + eps);
  }
  return [p2, m2, v2];
}

/** Σ x² over every input tensor (any number, any shapes) → scalar, accumulated in float64. */
export function sumSquaresKernel(args: KernelArgs): tf.TensorInfo {
  const backend = wasmOf(args);
  const out = backend.makeOutput([], 'float32');
  let acc = 0;
  for (const t of Object.values(args.inputs)) {
    const xs = heap(backend, t as tf.TensorInfo) as Float32Array;
    for (let i = 0; i < xs.length; i++) acc += xs[i]! * xs[i]!;
  }
  (heap(backend, out) as Float32Array)[0] = acc;
  return out;
}

/** The AdamW update of one parameter as the kernel above: p, g, m, v → [p', m', v']. */
export function adamWFused(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, attrs: AdamWAttrs): tf.Tensor[] {
  return tf.engine().runKernel(ADAMW, { p, g, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
}

/** Σ x² over all the tensors, as the kernel above. */
export function sumSquaresFused(xs: tf.Tensor[]): tf.Scalar {
  return tf.engine().runKernel(SUM_SQUARES, Object.fromEntries(xs.map((x, i) => [`g${i}`, x])), {}) as tf.Scalar;
}
