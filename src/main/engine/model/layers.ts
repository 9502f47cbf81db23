// Small building blocks shared by model families. Hot matmuls/attention/GELU live in ../ops.ts.
import { tf } from '../tf.ts';

/** LayerNorm over the last axis (eps 1e-5, as GPT-2/PyTorch). */
export function layerNorm(x: tf.Tensor2D, w: tf.Tensor1D, b: tf.Tensor1D | undefined, eps = 1e-5): tf.Tensor2D {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  const variance = tf.mean(tf.mul(xc, xc), -1, true);
  const y = tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, eps))), w);
  return (b ? tf.add(y, b) : y) as tf.Tensor2D;
}

/** Inverted dropout with an explicit seed so a run's seed fixes every mask. */
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: (() => number) | undefined): T {
  if (rate <= 0) return x;
  if (!seed) throw new Error('dropout needs a seed source when training');
  return tf.dropout(x, rate, undefined, seed()) as T;
}
