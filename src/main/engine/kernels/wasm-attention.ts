// Causal self-attention for wasm straight from the fused qkv projection [B·T, 3d] to the merged heads [B·T, d], and
// its gradient back to qkv: the head split/merge and masking are JavaScript passes, softmax and dropout stock XNNPACK
// kernels, and the per-(batch, head) products go to XNNPACK's fast 2-D path.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf.ts';
import { heapOffset, xnnMatMul } from './wasm-batch-matmul.ts';
import { transposeBatched } from './wasm-transpose.ts';
import { wasmOf } from './heap.ts';
import type { KernelArgs, KernelFn } from './heap.ts';

export const ATTENTION = 'LoupeCausalAttention';
export const ATTENTION_GRAD = 'LoupeCausalAttentionGrad';

export interface AttentionAttrs {
  batch: number;
  heads: number;
}

interface Dims {
  B: number;
  T: number;
  H: number;
  hd: number;
  d: number;
  BH: number;
}

function dims(qkv: tf.TensorInfo, attrs: AttentionAttrs): Dims {
  const { batch: B, heads: H } = attrs;
  const [rows, threeD] = qkv.shape as [number, number];
  const d = threeD / 3;
  const T = rows / B;
  if (qkv.dtype !== 'float32' || qkv.shape.length !== 2 || !Number.isInteger(T) || d % H !== 0 || threeD % 3 !== 0) {
    throw new Error(`${ATTENTION}: expected float32 qkv [batch·T, 3·d] with d divisible by ${H} heads, got [${qkv.shape}]`);
  }
  return { B, T, H, hd: d / H, d, BH: B * H };
}

/** Scratch tensors on the wasm heap, freed together; views are taken after every allocation (the heap may grow). */
class Scratch {
  private readonly infos: tf.TensorInfo[] = [];
  constructor(private readonly backend: BackendWasm) {}
  alloc(shape: number[]): tf.TensorInfo {
    const t = this.backend.makeOutput(shape, 'float32');
    this.infos.push(t);
    return t;
  }
  /** Frees `t` (made by a stock kernel) with the rest. */
  adopt(t: tf.TensorInfo): tf.TensorInfo {
    this.infos.push(t);
    return t;
  }
  free(): void {
    for (const t of this.infos) this.backend.disposeData(t.dataId);
  }
}

function f32(backend: BackendWasm, t: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/**
 * Copies head columns [col, col + hd) of src [B·T, width], times `scale`, into dst as [BH, T, hd], or transposed as
 * [BH, hd, T] (a T×hd block per head: small enough that the strided writes stay in cache).
 */
function gather(src: Float32Array, width: number, col: number, dst: Float32Array, D: Dims, transposed: boolean, scale = 1): void {
  const { B, T, H, hd } = D;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const base = (b * H + h) * T * hd;
      for (let t = 0; t < T; t++) {
        const s = (b * T + t) * width + col + h * hd;
        if (transposed) for (let c = 0; c < hd; c++) dst[base + c * T + t] = src[s + c]! * scale;
        else for (let c = 0; c < hd; c++) dst[base + t * hd + c] = src[s + c]! * scale;
      }
    }
  }
}

/** Writes src [BH, T, hd] (or [BH, hd, T] when `transposed`), times `scale`, into columns [col, col + hd) of dst [B·T, width]. */
function scatter(src: Float32Array, dst: Float32Array, width: number, col: number, D: Dims, transposed: boolean, scale = 1): void {
  const { B, T, H, hd } = D;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const base = (b * H + h) * T * hd;
      for (let t = 0; t < T; t++) {
        const o = (b * T + t) * width + col + h * hd;
        if (transposed) for (let c = 0; c < hd; c++) dst[o + c] = src[base + c * T + t]! * scale;
        else for (let c = 0; c < hd; c++) dst[o + c] = src[base + t * hd + c]! * scale;
      }
    }
  }
}

/** n products out[i] = a[i]·b[i] with a [n, m, k] and b [n, k, p] inside tensors. */
function products(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo, out: tf.TensorInfo, n: number, m: number, k: number, p: number): void {
  const ao = heapOffset(backend, a);
  const bo = heapOffset(backend, b);
  const oo = heapOffset(backend, out);
  for (let i = 0; i < n; i++) xnnMatMul(backend, ao + 4 * i * m * k, bo + 4 * i * k * p, oo + 4 * i * m * p, m, k, p);
}

let stockSoftmax: KernelFn | null = null;
let stockMultiply: KernelFn | null = null;

/** Stock kernels called from ours: XNNPACK's softmax and multiply are vectorised, far faster than JavaScript loops. */
function stock(name: 'Softmax' | 'Multiply'): KernelFn {
  const k = tf.getKernel(name, 'wasm');
  if (k == null) throw new Error(`wasm backend has no ${name} kernel`);
  return k.kernelFunc as KernelFn;
}

/**
 * qkv [B·T, 3d] (and an optional dropout mask [BH, T, T] of 0 and 1/(1−rate)) → y [B·T, d] and the attention
 * probabilities before dropout [BH, T, T], which the gradient needs.
 */
export function attentionKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = wasmOf(args);
  const { qkv, mask } = args.inputs as { qkv: tf.TensorInfo; mask?: tf.TensorInfo };
  const D = dims(qkv, args.attrs as unknown as AttentionAttrs);
  const { T, hd, d, BH } = D;
  stockSoftmax ??= stock('Softmax');
  stockMultiply ??= stock('Multiply');
  const y = backend.makeOutput([D.B * T, d], 'float32');
  const scratch = new Scratch(backend);
  let p: tf.TensorInfo;
  try {
    const q = scratch.alloc([BH, T, hd]);
    const kT = scratch.alloc([BH, hd, T]);
    const v = scratch.alloc([BH, T, hd]);
    const o = scratch.alloc([BH, T, hd]);
    const s = scratch.alloc([BH, T, T]);
    const src = f32(backend, qkv);
    // The 1/√hd scale goes into q, so the products give scaled scores.
    gather(src, 3 * d, 0, f32(backend, q), D, false, 1 / Math.sqrt(hd));
    gather(src, 3 * d, d, f32(backend, kT), D, true);
    gather(src, 3 * d, 2 * d, f32(backend, v), D, false);
    products(backend, q, kT, s, BH, T, hd, T);
    // Causal mask: −∞ above the diagonal (exp gives exactly 0), then the stock row softmax.
    const sv = f32(backend, s);
    for (let r = 0; r < BH * T; r++) {
      const i = r % T;
      sv.fill(-Infinity, r * T + i + 1, (r + 1) * T);
    }
    p = stockSoftmax({ inputs: { logits: { ...s, shape: [BH * T, T] } }, backend, attrs: { dim: 1 } }) as tf.TensorInfo;
    p.shape = [BH, T, T];
    let pd = p;
    if (mask != null) {
      pd = stockMultiply({ inputs: { a: p, b: mask }, backend, attrs: {} }) as tf.TensorInfo;
      scratch.adopt(pd);
    }
    products(backend, pd, v, o, BH, T, T, hd);
    scatter(f32(backend, o), f32(backend, y), d, 0, D, false);
  } finally {
    scratch.free();
  }
  return [y, p];
}

/** dy [B·T, d], qkv, p (before dropout), optional mask → dqkv [B·T, 3d]. */
export function attentionGradKernel(args: KernelArgs): tf.TensorInfo {
  const backend = wasmOf(args);
  const { dy, qkv, p, mask } = args.inputs as { dy: tf.TensorInfo; qkv: tf.TensorInfo; p: tf.TensorInfo; mask?: tf.TensorInfo };
  const D = dims(qkv, args.attrs as unknown as AttentionAttrs);
  const { T, hd, d, BH } = D;
  stockMultiply ??= stock('Multiply');
  const scale = 1 / Math.sqrt(hd);
  const dqkv = backend.makeOutput([D.B * T, 3 * d], 'float32');
  const scratch = new Scratch(backend);
  try {
    const pd = mask != null ? scratch.adopt(stockMultiply({ inputs: { a: p, b: mask }, backend, attrs: {} }) as tf.TensorInfo) : p;
    const dO = scratch.alloc([BH, T, hd]);
    const q = scratch.alloc([BH, T, hd]);
    const k = scratch.alloc([BH, T, hd]);
    const vT = scratch.alloc([BH, hd, T]);
    const sq = scratch.alloc([BH, T, T]);
    const dS = scratch.alloc([BH, T, T]);
    const dQ = scratch.alloc([BH, T, hd]);
    const dK = scratch.alloc([BH, T, hd]);
    const dV = scratch.alloc([BH, T, hd]);
    const src = f32(backend, qkv);
    gather(f32(backend, dy), d, 0, f32(backend, dO), D, false);
    // Scores were (q/√hd)·kᵀ: dK = dSᵀ·(q/√hd) and dQ = dS·k/√hd.
    gather(src, 3 * d, 0, f32(backend, q), D, false, scale);
    gather(src, 3 * d, d, f32(backend, k), D, false);
    gather(src, 3 * d, 2 * d, f32(backend, vT), D, true);
    // The T×T operands go on the left, so XNNPACK packs only the narrow [T, hd] right operands; their transposes
    // (cache-blocked) cost less than packing a T×T matrix for a product with few rows.
    transposeBatched(f32(backend, pd), f32(backend, sq), BH, T, T);
    products(backend, sq, dO, dV, BH, T, T, hd);
    products(backend, dO, vT, dS, BH, T, hd, T);
    // XNNPACK allocates (packed weights), which can grow the heap and detach views: take them after the products.
    const pv = f32(backend, p);
    const mv = mask != null ? f32(backend, mask) : null;
    const ds = f32(backend, dS);
    // dP = (dO·vᵀ) ⊙ mask, then the softmax backward dS = p ⊙ (dP − Σ_j dP·p), zero above the diagonal.
    for (let r = 0; r < BH * T; r++) {
      const i = r % T;
      const o = r * T;
      if (mv != null) for (let j = 0; j <= i; j++) ds[o + j]! *= mv[o + j]!;
      let dot = 0;
      for (let j = 0; j <= i; j++) dot += ds[o + j]! * pv[o + j]!;
      for (let j = 0; j <= i; j++) ds[o + j] = pv[o + j]! * (ds[o + j]! - dot);
      ds.fill(0, o + i + 1, o + T);
    }
    products(backend, dS, k, dQ, BH, T, T, hd);
    transposeBatched(f32(backend, dS), f32(backend, sq), BH, T, T);
    products(backend, sq, q, dK, BH, T, T, hd);
    const out = f32(backend, dqkv);
    scatter(f32(backend, dQ), out, 3 * d, 0, D, false, scale);
    scatter(f32(backend, dK), out, 3 * d, d, D, false);
    scatter(f32(backend, dV), out, 3 * d, 2 * d, D, false);
  } finally {
    scratch.free();
  }
  return dqkv;
}
