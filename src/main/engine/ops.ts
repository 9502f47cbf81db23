// Hot-path ops the model is written in. Their signatures are the contract between the model and the
// backend-specific fast paths (kernels/): the model never calls tf.matMul or tf.pow directly.
import { tf } from './tf.ts';
import { BATCH_MATMUL_2D } from './kernels/wasm-batch-matmul.ts';
import { ATTENTION, ATTENTION_GRAD } from './kernels/wasm-attention.ts';
import { GELU_GRAD } from './kernels/wasm-gelu.ts';
import { LAYER_NORM, LAYER_NORM_GRAD } from './kernels/wasm-layernorm.ts';
import { registerWasmKernels } from './kernels/wasm.ts';

// On wasm, XNNPACK serves only plain (non-transposed) 2-D products (~25 GFLOP/s); transposed and batched ones
// fall to a scalar loop (~2-3 GFLOP/s). So there every transpose is materialised first (cheap next to the product)
// and batched products run per matrix. Other backends get the transpose flags and batched kernels as they are.
function onWasm(): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  // initBackend registers our kernels; this covers code that picked wasm through tf.setBackend directly.
  registerWasmKernels();
  return true;
}

/** a·b with optional transposes, as one fast 2-D product wherever the backend has one. */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D, transposeA = false, transposeB = false): tf.Tensor2D {
  if (!onWasm()) return tf.matMul(a, b, transposeA, transposeB);
  if (transposeA && !transposeB && a.shape[1] > b.shape[1]) {
    // Weight gradients xᵀ·dy [n, in]ᵀ·[n, out]: XNNPACK runs fastest with the wider operand on the right (measured:
    // ~20% against the other order, more than its extra packing costs), so when dy is the narrower one compute
    // (dyᵀ·x)ᵀ, whose final transpose is only weight-sized.
    return tf.transpose(tf.matMul(tf.transpose(b), a)) as tf.Tensor2D;
  }
  return tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b);
}

/** Batched a[i]·b[i] for rank-3 inputs; on wasm one kernel running a fast 2-D product per matrix. */
function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D, transposeA = false, transposeB = false): tf.Tensor3D {
  if (!onWasm()) return tf.matMul(a, b, transposeA, transposeB);
  const at = transposeA ? tf.transpose(a, [0, 2, 1]) : a;
  const bt = transposeB ? tf.transpose(b, [0, 2, 1]) : b;
  return tf.engine().runKernel(BATCH_MATMUL_2D, { a: at, b: bt }, {}) as tf.Tensor3D;
}

/**
 * a[i]ᵀ·b[i] for square a (scores) and narrow b (values, queries): as (b[i]ᵀ·a[i])ᵀ on wasm, which transposes only the
 * narrow operands, where the stock transpose is cheap, rather than the T×T one.
 */
function batchMatMulTransA(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (!onWasm()) return tf.matMul(a, b, true, false);
  return tf.transpose(batchMatMul(b, a, true, false), [0, 2, 1]);
}

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

const linearBias = tf.customGrad((x, w, b, save) => {
  const x2 = x as tf.Tensor2D;
  const w2 = w as tf.Tensor2D;
  (save as tf.GradSaveFunc)([x2, w2]);
  // On wasm XNNPACK adds the bias inside the product (no separate pass over the output).
  const value = onWasm() ? tf.fused.matMul({ a: x2, b: w2, bias: b as tf.Tensor1D }) : tf.add(tf.matMul(x2, w2), b as tf.Tensor1D);
  return { value, gradFunc: linearBiasGrad };
});

/** x [n, in] · w [in, out] (+ b [out]) → [n, out]. Weight layout matches HF GPT-2 Conv1D. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  return (b ? linearBias(x, w, b) : linearNoBias(x, w)) as tf.Tensor2D;
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
  const dV = batchMatMulTransA(sm ? (tf.mul(sp, sm) as tf.Tensor3D) : sp, dO);
  const dPd = batchMatMul(dO, sv, false, true);
  const dP = sm ? tf.mul(dPd, sm) : dPd;
  // softmax backward; masked entries have p = 0, so their score gradient is 0 too.
  const dS = tf.mul(tf.mul(sp, tf.sub(dP, tf.sum(tf.mul(dP, sp), -1, true))), scale) as tf.Tensor3D;
  const dQ = batchMatMul(dS, sk);
  const dK = batchMatMulTransA(dS, sq);
  const grads = [tf.reshape(dQ, shape4), tf.reshape(dK, shape4), tf.reshape(dV, shape4)];
  // The mask is an input only so that the forward can use it; it never needs a gradient.
  return sm ? [...grads, tf.zerosLike(tf.reshape(sm, [shape4[0]!, shape4[1]!, sm.shape[1], sm.shape[2]]))] : grads;
}

export interface AttentionDropout {
  /** Dropout rate on the attention probabilities (0: none, and no cost). */
  rate: number;
  /** Seed of the mask (a run's dropout RNG draws one per layer and step). */
  seed: number;
}

/** Inverted-dropout mask of 0 and 1/(1−rate), drawn as tf.dropout draws it for this seed (backend-independent). */
export function attentionDropoutMask(shape: number[], rate: number, seed: number): tf.Tensor {
  return tf.div(tf.floor(tf.add(tf.randomUniform(shape, 0, 1, 'float32', seed), 1 - rate)), 1 - rate);
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

type AttentionFn = (...xs: tf.Tensor[]) => tf.Tensor;
const fusedAttentions = new Map<string, AttentionFn>();

/** The wasm kernel pair as one customGrad op for a batch size, head count and with or without a dropout mask. */
function fusedAttention(batch: number, heads: number, masked: boolean): AttentionFn {
  const key = `${batch}|${heads}|${masked}`;
  let fn = fusedAttentions.get(key);
  if (fn != null) return fn;
  const attrs = { batch, heads };
  const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] => {
    const [qkv, p, mask] = saved as [tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const inputs: tf.NamedTensorMap = { dy: dy as tf.Tensor, qkv, p };
    if (mask) inputs.mask = mask;
    const dqkv = tf.engine().runKernel(ATTENTION_GRAD, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    return mask ? [dqkv, tf.zerosLike(mask)] : [dqkv];
  };
  fn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const qkv = args[0] as tf.Tensor2D;
    const mask = masked ? (args[1] as tf.Tensor) : undefined;
    const save = args[masked ? 2 : 1] as tf.GradSaveFunc;
    const [y, p] = tf.engine().runKernel(ATTENTION, mask ? { qkv, mask } : { qkv }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    save(mask ? [qkv, p!, mask] : [qkv, p!]);
    return { value: y!, gradFunc };
  });
  fusedAttentions.set(key, fn);
  return fn;
}

/**
 * Causal self-attention from the fused projection qkv [batch·T, 3d] (q, k, v side by side, heads contiguous within
 * each, as GPT-2's c_attn lays them out) to the merged heads [batch·T, d]. On wasm one kernel each way does the head
 * split and merge, masking, softmax and dropout around XNNPACK products; elsewhere it is causalAttention.
 */
export function causalSelfAttention(qkv: tf.Tensor2D, batch: number, heads: number, dropout?: AttentionDropout): tf.Tensor2D {
  const [rows, threeD] = qkv.shape;
  const T = rows / batch;
  const d = threeD / 3;
  const rate = dropout?.rate ?? 0;
  if (onWasm()) {
    const fn = fusedAttention(batch, heads, rate > 0);
    if (rate <= 0) return fn(qkv) as tf.Tensor2D;
    return fn(qkv, attentionDropoutMask([batch * heads, T, T], rate, dropout!.seed)) as tf.Tensor2D;
  }
  const [q, k, v] = tf.split(qkv, 3, 1).map((t) => tf.transpose(tf.reshape(t, [batch, T, heads, d / heads]), [0, 2, 1, 3]) as tf.Tensor4D);
  const y = causalAttention(q!, k!, v!, dropout);
  return tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [rows, d]);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

// gelu_new(x) = 0.5·x·(1 + tanh(u)) = x·sigmoid(2u), u = √(2/π)(x + 0.044715x³). The sigmoid form is the same
// function; on wasm sigmoid is an XNNPACK kernel (~20× faster than tanh there), and x³ is x·x·x (pow is slow too).
const geluNew = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  const x2 = tf.mul(x, x);
  const u2 = tf.mul(x, tf.add(tf.mul(x2, 2 * SQRT_2_OVER_PI * GELU_A), 2 * SQRT_2_OVER_PI));
  const s = tf.sigmoid(u2);
  save([x, s]);
  return { value: tf.mul(x, s), gradFunc: geluGrad };
});

function geluGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor {
  const [sx, ss] = saved as [tf.Tensor, tf.Tensor];
  if (onWasm()) return tf.engine().runKernel(GELU_GRAD, { dy: dy as tf.Tensor, x: sx, s: ss }, {}) as tf.Tensor;
  // d/dx x·σ(2u) = σ + x·σ(1−σ)·2u', with 2u' = 2√(2/π)(1 + 3·0.044715x²).
  const du2 = tf.add(tf.mul(tf.mul(sx, sx), 6 * SQRT_2_OVER_PI * GELU_A), 2 * SQRT_2_OVER_PI);
  const ds = tf.mul(ss, tf.sub(1, ss));
  return tf.mul(dy as tf.Tensor, tf.add(ss, tf.mul(tf.mul(sx, ds), du2)));
}

/** GELU, tanh approximation (GPT-2's gelu_new). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return geluNew(x);
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

function layerNormKernelGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] {
  const [x, g, stats] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
  const [dx, dg] = tf.engine().runKernel(LAYER_NORM_GRAD, { dy: dy as tf.Tensor, x, g, stats }, {}) as tf.Tensor[];
  return [dx!, dg!];
}

function layerNormKernelBiasGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] {
  const [x, g, stats] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
  return tf.engine().runKernel(LAYER_NORM_GRAD, { dy: dy as tf.Tensor, x, g, stats }, {}) as tf.Tensor[];
}

const layerNorms = new Map<string, LayerNormFn>();

/** The customGrad LayerNorm for one eps, bias choice and kind of backend (customGrad functions take tensors only, so these are cached). */
function layerNormOp(eps: number, withBias: boolean, kernel: boolean): LayerNormFn {
  const key = `${eps}|${withBias}|${kernel}`;
  let fn = layerNorms.get(key);
  if (fn != null) return fn;
  fn = kernel
    ? tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
        const x = args[0] as tf.Tensor2D;
        const g = args[1] as tf.Tensor1D;
        const save = args[withBias ? 3 : 2] as tf.GradSaveFunc;
        const inputs: tf.NamedTensorMap = { x, g };
        if (withBias) inputs.b = args[2] as tf.Tensor1D;
        const [y, stats] = tf.engine().runKernel(LAYER_NORM, inputs, { eps }) as tf.Tensor[];
        save([x, g, stats!]);
        return { value: y!, gradFunc: withBias ? layerNormKernelBiasGrad : layerNormKernelGrad };
      })
    : tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
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

/**
 * LayerNorm over the last axis (x [n, d], weight and optional bias [d]) as one op with a closed-form gradient: half
 * the kernels of autodiff through mean/variance; on wasm one JavaScript kernel each way, as every kernel call there
 * has a fixed cost.
 */
export function layerNorm(x: tf.Tensor2D, weight: tf.Tensor1D, bias?: tf.Tensor1D, eps = 1e-5): tf.Tensor2D {
  const fn = layerNormOp(eps, bias != null, onWasm());
  return (bias != null ? fn(x, weight, bias) : fn(x, weight)) as tf.Tensor2D;
}
