// The ops a LLaMA block adds to ops.ts: RMSNorm, rotary position embedding (HF rotate_half convention), the
// SwiGLU gate and grouped-query head sharing. Each is one op with a closed-form gradient, so a block costs few
// kernel calls on backends where every call has a fixed price (wasm).
import { tf } from './tf.ts';

type OpFn = (...xs: tf.Tensor[]) => tf.Tensor;

function rmsNormGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] {
  const [sxhat, srstd, sw] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  const d = dy as tf.Tensor2D;
  const g = tf.mul(d, sw);
  // y = x̂·w with x̂ = x·r, r = (mean(x²)+eps)^-½: dx = r·(g − x̂·mean(g·x̂)), g = dy·w.
  const dx = tf.mul(srstd, tf.sub(g, tf.mul(sxhat, tf.mean(tf.mul(g, sxhat), -1, true))));
  return [dx, tf.sum(tf.mul(d, sxhat), 0)];
}

const rmsNorms = new Map<number, OpFn>();

function rmsNormOp(eps: number): OpFn {
  let fn = rmsNorms.get(eps);
  if (fn != null) return fn;
  fn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor2D;
    const w = args[1] as tf.Tensor1D;
    const save = args[2] as tf.GradSaveFunc;
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.mul(x, x), -1, true), eps));
    const xhat = tf.mul(x, rstd);
    save([xhat, rstd, w]);
    return { value: tf.mul(xhat, w), gradFunc: rmsNormGrad };
  });
  rmsNorms.set(eps, fn);
  return fn;
}

/** RMSNorm over the last axis: x·rsqrt(mean(x²) + eps)·w, x [n, d], w [d] (LLaMA; no mean subtraction, no bias). */
export function rmsNorm(x: tf.Tensor2D, weight: tf.Tensor1D, eps = 1e-5): tf.Tensor2D {
  return rmsNormOp(eps)(x, weight) as tf.Tensor2D;
}

/** cos and signed sin for positions [start, start + T) of one head width: the constants RoPE multiplies by. */
export interface RopeTables {
  start: number;
  /** [T, 1, hd]: cos of each position's angles, the half-width frequencies repeated for both halves. */
  cos: Float32Array;
  /** [T, 1, hd]: sin with the first half negated, so that rotate_half(x)·sin = swapHalves(x)·sinSigned. */
  sinSigned: Float32Array;
  T: number;
  headDim: number;
}

const tableCache = new Map<string, RopeTables>();

/**
 * Angles pos·θ^(−2i/hd) for i < hd/2, as HF LlamaRotaryEmbedding builds them (frequencies in fp32, the product
 * rounded to fp32 before cos/sin), so positions far into the context match PyTorch as closely as its own fp32 does.
 */
export function ropeTables(start: number, T: number, headDim: number, theta: number): RopeTables {
  const key = `${start}|${T}|${headDim}|${theta}`;
  const hit = tableCache.get(key);
  if (hit) return hit;
  if (headDim % 2 !== 0) throw new Error(`RoPE needs an even head width, got ${headDim}`);
  const half = headDim / 2;
  const invFreq = new Float32Array(half);
  for (let i = 0; i < half; i++) invFreq[i] = 1 / Math.fround(theta ** Math.fround((2 * i) / headDim));
  const cos = new Float32Array(T * headDim);
  const sinSigned = new Float32Array(T * headDim);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround((start + t) * invFreq[i]!);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[t * headDim + i] = c;
      cos[t * headDim + half + i] = c;
      sinSigned[t * headDim + i] = -s;
      sinSigned[t * headDim + half + i] = s;
    }
  }
  const tables = { start, cos, sinSigned, T, headDim };
  // Training uses one or two shapes; decoding adds one per position, bounded by block_size.
  if (tableCache.size > 4096) tableCache.clear();
  tableCache.set(key, tables);
  return tables;
}

/** [..., hd] → the two halves swapped, as [x₂, x₁] (reverse of a size-2 axis; its own inverse). */
function swapHalves(x: tf.Tensor4D): tf.Tensor4D {
  const [B, T, H, hd] = x.shape;
  return tf.reshape(tf.reverse(tf.reshape(x, [B * T * H, 2, hd / 2]), 1), [B, T, H, hd]);
}

function ropeGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] {
  const [cos, sinSigned] = saved as [tf.Tensor3D, tf.Tensor3D];
  const d = dy as tf.Tensor4D;
  // y = x·cos + swap(x)·s, and swap is a permutation that is its own inverse: dx = dy·cos + swap(dy·s).
  const dx = tf.add(tf.mul(d, cos), swapHalves(tf.mul(d, sinSigned) as tf.Tensor4D));
  return [dx, tf.zerosLike(cos), tf.zerosLike(sinSigned)];
}

const ropeOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, cos, sinSigned] = args as tf.Tensor[];
  const save = args[3] as tf.GradSaveFunc;
  save([cos!, sinSigned!]);
  return { value: tf.add(tf.mul(x!, cos!), tf.mul(swapHalves(x as tf.Tensor4D), sinSigned!)), gradFunc: ropeGrad };
});

/**
 * Rotary position embedding on projected queries or keys x [B·T, heads·hd] (heads contiguous), positions from
 * tables.start: each head's two halves rotate as a pair, x·cos + rotate_half(x)·sin, the HF convention (so an HF
 * export needs no weight permutation).
 */
export function rope(x: tf.Tensor2D, batch: number, heads: number, tables: RopeTables): tf.Tensor2D {
  const [rows, width] = x.shape;
  const T = rows / batch;
  const hd = width / heads;
  if (T !== tables.T || hd !== tables.headDim) throw new Error(`RoPE tables are for ${tables.T}×${tables.headDim}, not ${T}×${hd}`);
  const x4 = tf.reshape(x, [batch, T, heads, hd]);
  const cos = tf.tensor3d(tables.cos, [T, 1, hd]);
  const sin = tf.tensor3d(tables.sinSigned, [T, 1, hd]);
  return tf.reshape(ropeOp(x4, cos, sin), [rows, width]);
}

function swigluGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] {
  const [sa, sb, ss] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
  const d = dy as tf.Tensor;
  // silu(a) = a·σ(a), silu'(a) = σ(a)·(1 + a·(1 − σ(a))).
  const silu = tf.mul(sa, ss);
  const dsilu = tf.mul(ss, tf.add(1, tf.mul(sa, tf.sub(1, ss))));
  return [tf.mul(tf.mul(d, sb), dsilu), tf.mul(d, silu)];
}

const swigluOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b] = args as tf.Tensor[];
  const save = args[2] as tf.GradSaveFunc;
  const s = tf.sigmoid(a!);
  save([a!, b!, s]);
  return { value: tf.mul(tf.mul(a!, s), b!), gradFunc: swigluGrad };
});

/** The SwiGLU gate silu(gate)·up (the part of w2(silu(w1 x)·w3 x) between the projections). */
export function swiglu(gate: tf.Tensor2D, up: tf.Tensor2D): tf.Tensor2D {
  return swigluOp(gate, up) as tf.Tensor2D;
}

/**
 * Grouped-query attention's sharing of key/value heads: x [n, kvHeads·hd] → [n, kvHeads·groups·hd], each head
 * repeated `groups` times in place (HF repeat_kv: query head j reads key/value head ⌊j / groups⌋).
 */
export function repeatKvHeads(x: tf.Tensor2D, kvHeads: number, groups: number): tf.Tensor2D {
  if (groups === 1) return x;
  const [n, width] = x.shape;
  const hd = width / kvHeads;
  return tf.reshape(tf.tile(tf.reshape(x, [n, kvHeads, 1, hd]), [1, 1, groups, 1]), [n, width * groups]);
}
