// Hot-path ops the model is written in. Their signatures are the contract between the model and the
// backend-specific fast paths (kernels/): the model never calls tf.matMul or tf.pow directly.
import { tf } from './tf.ts';

/** x [n, in] · w [in, out] (+ b [out]) → [n, out]. Weight layout matches HF GPT-2 Conv1D. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const y: tf.Tensor2D = tf.matMul(x, w);
  return b ? (tf.add(y, b) as tf.Tensor2D) : y;
}

/** Causal scaled dot-product attention. q, k, v: [batch, heads, T, headDim] → same shape. */
export function causalAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D): tf.Tensor4D {
  const [, , T, hd] = q.shape;
  const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hd));
  const mask = tf.linalg.bandPart(tf.ones([T, T]), -1, 0);
  const masked = tf.add(scores, tf.mul(tf.sub(1, mask), -1e9));
  return tf.matMul(tf.softmax(masked), v);
}

/** GELU, tanh approximation (GPT-2's gelu_new). */
export function gelu(x: tf.Tensor): tf.Tensor {
  const c = Math.sqrt(2 / Math.PI);
  const inner = tf.mul(c, tf.add(x, tf.mul(0.044715, tf.mul(x, tf.mul(x, x)))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}
