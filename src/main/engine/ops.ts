// Hot-path ops the model is written in. Their signatures are the contract between the model and the
// backend-specific fast paths (kernels/): the model never calls tf.matMul or tf.pow directly.
import { tf } from './tf.ts';
import { defineKernel } from './kernels/select.ts';
import { attentionDropoutMask, type AttentionDropout } from './dropout-mask.ts';
import {
  batchMatMulTransAWasm,
  batchMatMulWasm,
  causalSelfAttentionWasm,
  geluGradWasm,
  layerNormWasm,
  linearBiasValueWasm,
  matMul2dWasm,
} from './kernels/wasm-ops.ts';

export { attentionDropoutMask, type AttentionDropout } from './dropout-mask.ts';

// Each op with a faster backend version is declared with defineKernel: the plain TF.js reference (the test oracle)
// and the fast versions by backend, picked once when the backend starts (kernels/select.ts).

export const matMul2dOp = defineKernel(
  'matmul-2d',
  (a: tf.Tensor2D, b: tf.Tensor2D, transposeA: boolean, transposeB: boolean): tf.Tensor2D => tf.matMul(a, b, transposeA, transposeB),
  { wasm: matMul2dWasm },
);

/** a·b with optional transposes, as one fast 2-D product wherever the backend has one. */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D, transposeA = false, transposeB = false): tf.Tensor2D {
  return matMul2dOp.run(a, b, transposeA, transposeB);
}

export const batchMatMulOp = defineKernel(
  'batch-matmul',
  (a: tf.Tensor3D, b: tf.Tensor3D, transposeA: boolean, transposeB: boolean): tf.Tensor3D => tf.matMul(a, b, transposeA, transposeB),
  { wasm: batchMatMulWasm },
);

/** Batched a[i]·b[i] for rank-3 inputs. */
function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D, transposeA = false, transposeB = false): tf.Tensor3D {
  return batchMatMulOp.run(a, b, transposeA, transposeB);
}

/** a[i]ᵀ·b[i] for square a (scores) and narrow b (values, queries). */
export const batchMatMulTransAOp = defineKernel('batch-matmul-transpose-a', (a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D => tf.matMul(a, b, true, false), {
  wasm: batchMatMulTransAWasm,
});

/** Column sums of a 2-D tensor (bias gradients); on wasm our Sum kernel does this in one sequential pass. */
function sumRows(dy: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(dy, 0);
}

// Gradient functions live at module level rather than as per-call closures: under tsx (keepNames) every closure
// creation also pays for a defineProperty, measurable at a few thousand ops per step.

function linearGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] {
  const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
  const g = dy as tf.Tensor2D;
  return [matMul2d(g, sw, false, true), matMul2d(sx, g, true, false)];
}

function linearBiasGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] {
  return [...linearGrad(dy, saved), sumRows(dy as tf.Tensor2D)];
}

const linearNoBias = tf.customGrad((x, w, save) => {
  const x2 = x as tf.Tensor2D;
  const w2 = w as tf.Tensor2D;
  (save as tf.GradSaveFunc)([x2, w2]);
  return { value: tf.matMul(x2, w2), gradFunc: linearGrad };
});

type LinearValue = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

function linearWithBias(value: LinearValue): (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor {
  return tf.customGrad((x, w, b, save) => {
    const x2 = x as tf.Tensor2D;
    const w2 = w as tf.Tensor2D;
    (save as tf.GradSaveFunc)([x2, w2]);
    return { value: value(x2, w2, b as tf.Tensor1D), gradFunc: linearBiasGrad };
  });
}

export const linearBiasOp = defineKernel('linear-bias', linearWithBias((x, w, b) => tf.add(tf.matMul(x, w), b)), { wasm: linearWithBias(linearBiasValueWasm) });

/** x [n, in] · w [in, out] (+ b [out]) → [n, out]. Weight layout matches HF GPT-2 Conv1D. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  return (b ? linearBiasOp.run(x, w, b) : linearNoBias(x, w)) as tf.Tensor2D;
}

const causalMasks = new Map<number, Float32Array>();

/** Additive causal mask [T, T]: 0 on and below the diagonal, -1e9 above (exp underflows to exactly 0). */
function causalMask(T: number): tf.Tensor2D {
  let m = causalMasks.get(T);
  if (m == null) {
    m = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
    causalMasks.set(T, m);
  }
  return tf.tensor2d(m, [T, T]);
}

function attentionForward(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask: tf.Tensor | null, save: tf.GradSaveFunc): tf.Tensor4D {
  const [B, H, T, hd] = q.shape;
  const q3 = tf.reshape(q, [B * H, T, hd]) as tf.Tensor3D;
  const k3 = tf.reshape(k, [B * H, T, hd]) as tf.Tensor3D;
  const v3 = tf.reshape(v, [B * H, T, hd]) as tf.Tensor3D;
  const scale = 1 / Math.sqrt(hd);
  const scores = tf.add(tf.mul(batchMatMul(q3, k3, false, true), scale), causalMask(T));
  const p = tf.softmax(scores) as tf.Tensor3D;
  if (mask == null) {
    save([q3, k3, v3, p]);
    return tf.reshape(batchMatMul(p, v3), [B, H, T, hd]);
  }
  const m3 = tf.reshape(mask, [B * H, T, T]) as tf.Tensor3D;
  save([q3, k3, v3, p, m3]);
  return tf.reshape(batchMatMul(tf.mul(p, m3) as tf.Tensor3D, v3), [B, H, T, hd]);
}

const attention = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [q, k, v] = args as tf.Tensor4D[];
  return { value: attentionForward(q!, k!, v!, null, args[3] as tf.GradSaveFunc), gradFunc: attentionGrad };
});

const attentionDropout = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [q, k, v, mask] = args as tf.Tensor4D[];
  return { value: attentionForward(q!, k!, v!, mask!, args[4] as tf.GradSaveFunc), gradFunc: attentionGrad };
});

function attentionGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] {
  const [sq, sk, sv, sp, sm] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D | undefined];
  const shape4 = (dy as tf.Tensor).shape;
  const scale = 1 / Math.sqrt(sq.shape[2]);
  const dO = tf.reshape(dy as tf.Tensor, sq.shape) as tf.Tensor3D;
  // With dropout the output is (p ⊙ mask)·v: v sees the dropped probabilities, and p's gradient passes the mask.
  const dV = batchMatMulTransAOp.run(sm ? (tf.mul(sp, sm) as tf.Tensor3D) : sp, dO);
  const dPd = batchMatMul(dO, sv, false, true);
  const dP = sm ? tf.mul(dPd, sm) : dPd;
  // softmax backward; masked entries have p = 0, so their score gradient is 0 too.
  const dS = tf.mul(tf.mul(sp, tf.sub(dP, tf.sum(tf.mul(dP, sp), -1, true))), scale) as tf.Tensor3D;
  const dQ = batchMatMul(dS, sk);
  const dK = batchMatMulTransAOp.run(dS, sq);
  const grads = [tf.reshape(dQ, shape4), tf.reshape(dK, shape4), tf.reshape(dV, shape4)];
  // The mask is an input only so that the forward can use it; it never needs a gradient.
  return sm ? [...grads, tf.zerosLike(tf.reshape(sm, [shape4[0]!, shape4[1]!, sm.shape[1], sm.shape[2]]))] : grads;
}

/**
 * Causal scaled dot-product attention. q, k, v: [batch, heads, T, headDim] → same shape. With `dropout`, the
 * attention probabilities are dropped (and rescaled) before they weight the values, as GPT-2's attn_dropout does.
 */
export function causalAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, dropout?: AttentionDropout): tf.Tensor4D {
  if (dropout == null || dropout.rate <= 0) return attention(q, k, v) as tf.Tensor4D;
  const [B, H, T] = q.shape;
  return attentionDropout(q, k, v, attentionDropoutMask([B, H, T, T], dropout.rate, dropout.seed)) as tf.Tensor4D;
}

/** Causal self-attention through the textbook head split, causalAttention and head merge. */
function causalSelfAttentionReference(qkv: tf.Tensor2D, batch: number, heads: number, dropout?: AttentionDropout): tf.Tensor2D {
  const [rows, threeD] = qkv.shape;
  const T = rows / batch;
  const d = threeD / 3;
  const [q, k, v] = tf.split(qkv, 3, 1).map((t) => tf.transpose(tf.reshape(t, [batch, T, heads, d / heads]), [0, 2, 1, 3]) as tf.Tensor4D);
  const y = causalAttention(q!, k!, v!, dropout);
  return tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [rows, d]);
}

export const causalSelfAttentionOp = defineKernel('causal-self-attention', causalSelfAttentionReference, { wasm: causalSelfAttentionWasm });

/**
 * Causal self-attention from the fused projection qkv [batch·T, 3d] (q, k, v side by side, heads contiguous within
 * each, as GPT-2's c_attn lays them out) to the merged heads [batch·T, d].
 */
export function causalSelfAttention(qkv: tf.Tensor2D, batch: number, heads: number, dropout?: AttentionDropout): tf.Tensor2D {
  return causalSelfAttentionOp.run(qkv, batch, heads, dropout);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

type GeluGrad = (dy: tf.Tensor, x: tf.Tensor, s: tf.Tensor) => tf.Tensor;

// gelu_new(x) = 0.5·x·(1 + tanh(u)) = x·sigmoid(2u), u = √(2/π)(x + 0.044715x³). The sigmoid form is the same
// function; on wasm sigmoid is an XNNPACK kernel (~20× faster than tanh there), and x³ is x·x·x (pow is slow too).
function geluWith(grad: GeluGrad): (x: tf.Tensor) => tf.Tensor {
  const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor => grad(dy as tf.Tensor, saved[0]!, saved[1]!);
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const x2 = tf.mul(x, x);
    const u2 = tf.mul(x, tf.add(tf.mul(x2, 2 * SQRT_2_OVER_PI * GELU_A), 2 * SQRT_2_OVER_PI));
    const s = tf.sigmoid(u2);
    save([x, s]);
    return { value: tf.mul(x, s), gradFunc };
  });
}

/** d/dx x·σ(2u) = σ + x·σ(1−σ)·2u', with 2u' = 2√(2/π)(1 + 3·0.044715x²). */
function geluGrad(dy: tf.Tensor, sx: tf.Tensor, ss: tf.Tensor): tf.Tensor {
  const du2 = tf.add(tf.mul(tf.mul(sx, sx), 6 * SQRT_2_OVER_PI * GELU_A), 2 * SQRT_2_OVER_PI);
  const ds = tf.mul(ss, tf.sub(1, ss));
  return tf.mul(dy, tf.add(ss, tf.mul(tf.mul(sx, ds), du2)));
}

export const geluOp = defineKernel('gelu', geluWith(geluGrad), { wasm: geluWith(geluGradWasm) });

/** GELU, tanh approximation (GPT-2's gelu_new). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return geluOp.run(x);
}

const logSumExpRows = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor2D;
  const save = args[1] as tf.GradSaveFunc;
  // max_j softmax(x)_j = 1 / Σ exp(x − max), so lse = max − log(max softmax): the softmax kernel (fast on wasm,
  // where exp and log over [n, V] are slow) does the work, and its output is the gradient we need anyway.
  const p = tf.softmax(x);
  save([p]);
  return { value: tf.sub(tf.max(x, -1, true), tf.log(tf.max(p, -1, true))), gradFunc: logSumExpGrad };
});

function logSumExpGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor {
  return tf.mul(dy as tf.Tensor, saved[0]!);
}

/**
 * log Σ exp(x) over the last axis, keeping it: x [n, V] → [n, 1], with gradient softmax(x)·dy. Use it instead of
 * tf.logSumExp in losses: that one also differentiates through its max (an exact zero) with a slow broadcast Equal.
 */
export function logSumExp(x: tf.Tensor2D): tf.Tensor2D {
  return logSumExpRows(x) as tf.Tensor2D;
}

type LayerNormFn = (...xs: tf.Tensor[]) => tf.Tensor;

function layerNormGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] {
  const [sxhat, srstd, sg] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  const d = dy as tf.Tensor2D;
  const dxhat = tf.mul(d, sg);
  // dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), the usual closed form.
  const dx = tf.mul(srstd, tf.sub(tf.sub(dxhat, tf.mean(dxhat, -1, true)), tf.mul(sxhat, tf.mean(tf.mul(dxhat, sxhat), -1, true))));
  return [dx, sumRows(tf.mul(d, sxhat) as tf.Tensor2D)];
}

function layerNormBiasGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] {
  return [...layerNormGrad(dy, saved), sumRows(dy as tf.Tensor2D)];
}

const layerNorms = new Map<string, LayerNormFn>();

/** The customGrad LayerNorm for one eps and bias choice (customGrad functions take tensors only, so these are cached). */
function cachedLayerNorm(eps: number, withBias: boolean): LayerNormFn {
  const key = `${eps}|${withBias}`;
  let fn = layerNorms.get(key);
  if (fn != null) return fn;
  fn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor2D;
    const g = args[1] as tf.Tensor1D;
    const b = withBias ? (args[2] as tf.Tensor1D) : null;
    const save = args[withBias ? 3 : 2] as tf.GradSaveFunc;
    const xc = tf.sub(x, tf.mean(x, -1, true));
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.mul(xc, xc), -1, true), eps));
    const xhat = tf.mul(xc, rstd);
    save([xhat, rstd, g]);
    const y = tf.mul(xhat, g);
    return { value: b ? tf.add(y, b) : y, gradFunc: withBias ? layerNormBiasGrad : layerNormGrad };
  });
  layerNorms.set(key, fn);
  return fn;
}

function layerNormReference(x: tf.Tensor2D, weight: tf.Tensor1D, bias: tf.Tensor1D | undefined, eps: number): tf.Tensor2D {
  const fn = cachedLayerNorm(eps, bias != null);
  return (bias != null ? fn(x, weight, bias) : fn(x, weight)) as tf.Tensor2D;
}

export const layerNormOp = defineKernel('layer-norm', layerNormReference, { wasm: layerNormWasm });

/**
 * LayerNorm over the last axis (x [n, d], weight and optional bias [d]) as one op with a closed-form gradient: half
 * the kernels of autodiff through mean/variance; on wasm one JavaScript kernel each way, as every kernel call there
 * has a fixed cost.
 */
export function layerNorm(x: tf.Tensor2D, weight: tf.Tensor1D, bias?: tf.Tensor1D, eps = 1e-5): tf.Tensor2D {
  return layerNormOp.run(x, weight, bias, eps);
}
