// Causal self-attention for wasm straight from the fused qkv projection [B·T, 3d] to the merged heads [B·T, d], and
// its gradient back to qkv: the head split/merge transposes, scaling, masking, softmax (and attention dropout) are
// JavaScript passes, and the per-(batch, head) products go to XNNPACK's fast 2-D path.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { tf } from '../tf.ts';
import { heapOffset, xnnMatMul } from './wasm-batch-matmul.ts';
import { wasmOf } from './heap.ts';
import type { KernelArgs } from './heap.ts';

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
  free(): void {
    for (const t of this.infos) this.backend.disposeData(t.dataId);
  }
}

function f32(backend: BackendWasm, t: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** Copies head columns [col, col + hd) of src [B·T, width] into dst as [BH, T, hd], or transposed as [BH, hd, T]. */
function gather(src: Float32Array, width: number, col: number, dst: Float32Array, D: Dims, transposed: boolean): void {
  const { B, T, H, hd } = D;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const base = (b * H + h) * T * hd;
      for (let t = 0; t < T; t++) {
        const s = (b * T + t) * width + col + h * hd;
        if (transposed) for (let c = 0; c < hd; c++) dst[base + c * T + t] = src[s + c]!;
        else for (let c = 0; c < hd; c++) dst[base + t * hd + c] = src[s + c]!;
      }
    }
  }
}

/** Writes src [BH, T, hd] into columns [col, col + hd) of dst [B·T, width]. */
function scatter(src: Float32Array, dst: Float32Array, width: number, col: number, D: Dims): void {
  const { B, T, H, hd } = D;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const base = (b * H + h) * T * hd;
      for (let t = 0; t < T; t++) {
        const o = (b * T + t) * width + col + h * hd;
        for (let c = 0; c < hd; c++) dst[o + c] = src[base + t * hd + c]!;
      }
    }
  }
}

/** dst[n] = src[n]ᵀ for n square T×T matrices. */
function transposeSquares(src: Float32Array, dst: Float32Array, n: number, T: number): void {
  const tt = T * T;
  for (let b = 0; b < n; b++) {
    const base = b * tt;
    for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) dst[base + j * T + i] = src[base + i * T + j]!;
  }
}

/** n products out[i] = a[i]·b[i] with a [n, m, k] and b [n, k, p] inside tensors. */
function products(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo, out: tf.TensorInfo, n: number, m: number, k: number, p: number): void {
  const ao = heapOffset(backend, a);
  const bo = heapOffset(backend, b);
  const oo = heapOffset(backend, out);
  for (let i = 0; i < n; i++) xnnMatMul(backend, ao + 4 * i * m * k, bo + 4 * i * k * p, oo + 4 * i * m * p, m, k, p);
}

/** In place: each row i of every T×T score matrix becomes softmax(scale · s[i, 0..i]) with zeros above the diagonal. */
function causalSoftmax(s: Float32Array, n: number, T: number, scale: number): void {
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < T; i++) {
      const o = (b * T + i) * T;
      let max = -Infinity;
      for (let j = 0; j <= i; j++) if (s[o + j]! > max) max = s[o + j]!;
      let sum = 0;
      for (let j = 0; j <= i; j++) {
        const e = Math.exp((s[o + j]! - max) * scale);
        s[o + j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let j = 0; j <= i; j++) s[o + j]! *= inv;
      for (let j = i + 1; j < T; j++) s[o + j] = 0;
    }
  }
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
  const y = backend.makeOutput([D.B * T, d], 'float32');
  const p = backend.makeOutput([BH, T, T], 'float32');
  const scratch = new Scratch(backend);
  try {
    const q = scratch.alloc([BH, T, hd]);
    const kT = scratch.alloc([BH, hd, T]);
    const v = scratch.alloc([BH, T, hd]);
    const o = scratch.alloc([BH, T, hd]);
    const pd = mask != null ? scratch.alloc([BH, T, T]) : p;
    const src = f32(backend, qkv);
    gather(src, 3 * d, 0, f32(backend, q), D, false);
    gather(src, 3 * d, d, f32(backend, kT), D, true);
    gather(src, 3 * d, 2 * d, f32(backend, v), D, false);
    products(backend, q, kT, p, BH, T, hd, T);
    const pv = f32(backend, p);
    causalSoftmax(pv, BH, T, 1 / Math.sqrt(hd));
    if (mask != null) {
      const mv = f32(backend, mask);
      const dv = f32(backend, pd);
      for (let i = 0; i < pv.length; i++) dv[i] = pv[i]! * mv[i]!;
    }
    products(backend, pd, v, o, BH, T, T, hd);
    scatter(f32(backend, o), f32(backend, y), d, 0, D);
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
  const dqkv = backend.makeOutput([D.B * T, 3 * d], 'float32');
  const scratch = new Scratch(backend);
  try {
    const dO = scratch.alloc([BH, T, hd]);
    const q = scratch.alloc([BH, T, hd]);
    const k = scratch.alloc([BH, T, hd]);
    const vT = scratch.alloc([BH, hd, T]);
    const pT = scratch.alloc([BH, T, T]);
    const dS = scratch.alloc([BH, T, T]);
    const dST = scratch.alloc([BH, T, T]);
    const dQ = scratch.alloc([BH, T, hd]);
    const dK = scratch.alloc([BH, T, hd]);
    const dV = scratch.alloc([BH, T, hd]);
    const src = f32(backend, qkv);
    gather(f32(backend, dy), d, 0, f32(backend, dO), D, false);
    gather(src, 3 * d, 0, f32(backend, q), D, false);
    gather(src, 3 * d, d, f32(backend, k), D, false);
    gather(src, 3 * d, 2 * d, f32(backend, vT), D, true);
    let pv = f32(backend, p);
    let mv = mask != null ? f32(backend, mask) : null;
    // dV = (p ⊙ mask)ᵀ · dO
    const ptv = f32(backend, pT);
    if (mv != null) {
      const tt = T * T;
      for (let b = 0; b < BH; b++) {
        const base = b * tt;
        for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) ptv[base + j * T + i] = pv[base + i * T + j]! * mv[base + i * T + j]!;
      }
    } else transposeSquares(pv, ptv, BH, T);
    products(backend, pT, dO, dV, BH, T, T, hd);
    // dP = (dO · vᵀ) ⊙ mask, then the softmax backward: dS = p ⊙ (dP − Σ_j dP·p) · scale, zero above the diagonal.
    products(backend, dO, vT, dS, BH, T, hd, T);
    // XNNPACK allocates (packed weights), which can grow the heap and detach every view: take them again.
    pv = f32(backend, p);
    mv = mask != null ? f32(backend, mask) : null;
    const ds = f32(backend, dS);
    const scale = 1 / Math.sqrt(hd);
    for (let b = 0; b < BH; b++) {
      for (let i = 0; i < T; i++) {
        const o = (b * T + i) * T;
        if (mv != null) for (let j = 0; j <= i; j++) ds[o + j]! *= mv[o + j]!;
        let dot = 0;
        for (let j = 0; j <= i; j++) dot += ds[o + j]! * pv[o + j]!;
        for (let j = 0; j <= i; j++) ds[o + j] = pv[o + j]! * (ds[o + j]! - dot) * scale;
        for (let j = i + 1; j < T; j++) ds[o + j] = 0;
      }
    }
    products(backend, dS, k, dQ, BH, T, T, hd);
    transposeSquares(f32(backend, dS), f32(backend, dST), BH, T);
    products(backend, dST, q, dK, BH, T, T, hd);
    const out = f32(backend, dqkv);
    scatter(f32(backend, dQ), out, 3 * d, 0, D);
    scatter(f32(backend, dK), out, 3 * d, d, D);
    scatter(f32(backend, dV), out, 3 * d, 2 * d, D);
  } finally {
    scratch.free();
  }
  return dqkv;
}
