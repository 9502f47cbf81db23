// LayerNorm over the last axis for wasm as two JavaScript passes (forward and backward) instead of ~20 small
// kernels: each wasm kernel call costs a fixed overhead, and LayerNorm is memory-bound anyway.
import type { tf } from '../tf.ts';
import { heap, wasmOf } from './heap.ts';
import type { KernelArgs } from './heap.ts';

export const LAYER_NORM = 'LoupeLayerNorm';
export const LAYER_NORM_GRAD = 'LoupeLayerNormGrad';

function rowsCols(x: tf.TensorInfo): [number, number] {
  const d = x.shape[x.shape.length - 1]!;
  let n = 1;
  for (let i = 0; i < x.shape.length - 1; i++) n *= x.shape[i]!;
  return [n, d];
}

/** x [.., d], g [d], optional b [d] → y [.., d] and stats [n, 2] (mean, 1/σ per row) for the backward pass. */
export function layerNormKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = wasmOf(args);
  const { x, g, b } = args.inputs as { x: tf.TensorInfo; g: tf.TensorInfo; b?: tf.TensorInfo };
  const { eps } = args.attrs as { eps: number };
  const [n, d] = rowsCols(x);
  const y = backend.makeOutput(x.shape, 'float32');
  const stats = backend.makeOutput([n, 2], 'float32');
  const xs = heap(backend, x) as Float32Array;
  const gs = heap(backend, g) as Float32Array;
  const bs = b != null ? (heap(backend, b) as Float32Array) : null;
  const ys = heap(backend, y) as Float32Array;
  const st = heap(backend, stats) as Float32Array;
  for (let r = 0; r < n; r++) {
    const o = r * d;
    // One pass for both moments, in float64: the cancellation in E[x²] − E[x]² stays far below float32 precision
    // for activations whose mean is not many orders of magnitude above their spread.
    let sum = 0;
    let sq = 0;
    for (let j = 0; j < d; j++) {
      const v = xs[o + j]!;
      sum += v;
      sq += v * v;
    }
    const mean = sum / d;
    const rstd = 1 / Math.sqrt(Math.max(sq / d - mean * mean, 0) + eps);
    st[2 * r] = mean;
    st[2 * r + 1] = rstd;
    const shift = -mean * rstd;
    if (bs != null) for (let j = 0; j < d; j++) ys[o + j] = (xs[o + j]! * rstd + shift) * gs[j]! + bs[j]!;
    else for (let j = 0; j < d; j++) ys[o + j] = (xs[o + j]! * rstd + shift) * gs[j]!;
  }
  return [y, stats];
}

/** dy, x, g, stats → dx, dg, db (db is returned even without a bias; the caller drops it). */
export function layerNormGradKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = wasmOf(args);
  const { dy, x, g, stats } = args.inputs as { dy: tf.TensorInfo; x: tf.TensorInfo; g: tf.TensorInfo; stats: tf.TensorInfo };
  const [n, d] = rowsCols(x);
  const dx = backend.makeOutput(x.shape, 'float32');
  const dg = backend.makeOutput([d], 'float32');
  const db = backend.makeOutput([d], 'float32');
  const dys = heap(backend, dy) as Float32Array;
  const xs = heap(backend, x) as Float32Array;
  const gs = heap(backend, g) as Float32Array;
  const st = heap(backend, stats) as Float32Array;
  const dxs = heap(backend, dx) as Float32Array;
  // Parameter gradients sum over every row: accumulate in float64.
  const accG = new Float64Array(d);
  const accB = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    const o = r * d;
    const mean = st[2 * r]!;
    const rstd = st[2 * r + 1]!;
    // dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), dx̂ = dy·g.
    let s1 = 0;
    let s2 = 0;
    const shift = -mean * rstd;
    for (let j = 0; j < d; j++) {
      const xh = xs[o + j]! * rstd + shift;
      const dyj = dys[o + j]!;
      const dxh = dyj * gs[j]!;
      s1 += dxh;
      s2 += dxh * xh;
      accG[j]! += dyj * xh;
      accB[j]! += dyj;
    }
    s1 /= d;
    s2 /= d;
    for (let j = 0; j < d; j++) dxs[o + j] = rstd * (dys[o + j]! * gs[j]! - s1 - (xs[o + j]! * rstd + shift) * s2);
  }
  (heap(backend, dg) as Float32Array).set(accG);
  (heap(backend, db) as Float32Array).set(accB);
  return [dx, dg, db];
}
