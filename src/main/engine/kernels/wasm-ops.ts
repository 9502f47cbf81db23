// The wasm implementations of the hot-path ops in ../ops.ts: the same maths arranged for XNNPACK (which serves only
// plain 2-D products fast, ~25 GFLOP/s against ~2-3 for transposed and batched ones) and for our JavaScript kernels.
// ops.ts declares each beside its reference; initBackend picks them when wasm starts.
import { tf } from '../tf.ts';
import { attentionDropoutMask, type AttentionDropout } from '../dropout-mask.ts';
import { BATCH_MATMUL_2D } from './wasm-batch-matmul.ts';
import { ATTENTION, ATTENTION_GRAD } from './wasm-attention.ts';
import { GELU_GRAD } from './wasm-gelu.ts';
import { LAYER_NORM, LAYER_NORM_GRAD } from './wasm-layernorm.ts';

/** a·b with optional transposes: every transpose materialised first (cheap next to the product). */
export function matMul2dWasm(a: tf.Tensor2D, b: tf.Tensor2D, transposeA: boolean, transposeB: boolean): tf.Tensor2D {
  if (transposeA && !transposeB && a.shape[1] > b.shape[1]) {
    // Weight gradients xᵀ·dy [n, in]ᵀ·[n, out]: XNNPACK runs fastest with the wider operand on the right (measured:
    // ~20% against the other order, more than its extra packing costs), so when dy is the narrower one compute
    // (dyᵀ·x)ᵀ, whose final transpose is only weight-sized.
    return tf.transpose(tf.matMul(tf.transpose(b), a)) as tf.Tensor2D;
  }
  return tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b);
}

/** Batched a[i]·b[i]: one kernel running a fast 2-D product per matrix. */
export function batchMatMulWasm(a: tf.Tensor3D, b: tf.Tensor3D, transposeA: boolean, transposeB: boolean): tf.Tensor3D {
  const at = transposeA ? tf.transpose(a, [0, 2, 1]) : a;
  const bt = transposeB ? tf.transpose(b, [0, 2, 1]) : b;
  return tf.engine().runKernel(BATCH_MATMUL_2D, { a: at, b: bt }, {}) as tf.Tensor3D;
}

/** a[i]ᵀ·b[i] for square a (scores) and narrow b as (b[i]ᵀ·a[i])ᵀ: only the narrow operands are transposed. */
export function batchMatMulTransAWasm(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return tf.transpose(batchMatMulWasm(b, a, true, false), [0, 2, 1]);
}

/** x·w + b with XNNPACK adding the bias inside the product (no separate pass over the output). */
export function linearBiasValueWasm(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: w, bias: b }) as tf.Tensor2D;
}

/** GELU-tanh backward in one JavaScript pass, from x and s = σ(2u(x)). */
export function geluGradWasm(dy: tf.Tensor, x: tf.Tensor, s: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(GELU_GRAD, { dy, x, s }, {}) as tf.Tensor;
}

type TensorFn = (...xs: tf.Tensor[]) => tf.Tensor;
const fusedAttentions = new Map<string, TensorFn>();

/** The attention kernel pair as one customGrad op for a batch size, head count and with or without a dropout mask. */
function fusedAttention(batch: number, heads: number, masked: boolean): TensorFn {
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

/** Causal self-attention qkv [batch·T, 3d] → [batch·T, d]: one kernel each way does head split and merge, masking, softmax and dropout. */
export function causalSelfAttentionWasm(qkv: tf.Tensor2D, batch: number, heads: number, dropout?: AttentionDropout): tf.Tensor2D {
  const T = qkv.shape[0] / batch;
  const rate = dropout?.rate ?? 0;
  const fn = fusedAttention(batch, heads, rate > 0);
  if (rate <= 0) return fn(qkv) as tf.Tensor2D;
  return fn(qkv, attentionDropoutMask([batch * heads, T, T], rate, dropout!.seed)) as tf.Tensor2D;
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

const layerNorms = new Map<string, TensorFn>();

/** LayerNorm as one JavaScript kernel each way, for one eps and bias choice (customGrad functions take tensors only, so these are cached). */
function layerNormOp(eps: number, withBias: boolean): TensorFn {
  const key = `${eps}|${withBias}`;
  let fn = layerNorms.get(key);
  if (fn != null) return fn;
  fn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor2D;
    const g = args[1] as tf.Tensor1D;
    const save = args[withBias ? 3 : 2] as tf.GradSaveFunc;
    const inputs: tf.NamedTensorMap = { x, g };
    if (withBias) inputs.b = args[2] as tf.Tensor1D;
    const [y, stats] = tf.engine().runKernel(LAYER_NORM, inputs, { eps }) as tf.Tensor[];
    save([x, g, stats!]);
    return { value: y!, gradFunc: withBias ? layerNormKernelBiasGrad : layerNormKernelGrad };
  });
  layerNorms.set(key, fn);
  return fn;
}

export function layerNormWasm(x: tf.Tensor2D, weight: tf.Tensor1D, bias: tf.Tensor1D | undefined, eps: number): tf.Tensor2D {
  const fn = layerNormOp(eps, bias != null);
  return (bias != null ? fn(x, weight, bias) : fn(x, weight)) as tf.Tensor2D;
}
