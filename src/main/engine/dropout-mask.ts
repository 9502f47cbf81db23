// The attention-dropout mask, drawn the same way by the reference attention and the wasm kernel, so a seed gives
// the same mask on every backend.
import { tf } from './tf.ts';

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
