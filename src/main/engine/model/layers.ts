// Small building blocks shared by model families. Hot matmuls/attention/GELU live in ../ops.ts.
import { tf } from '../tf.ts';
import { layerNorm as fusedLayerNorm } from '../ops.ts';

/** LayerNorm over the last axis (eps 1e-5, as GPT-2/PyTorch): the fused op from ../ops.ts. */
export const layerNorm = fusedLayerNorm;

/** Inverted dropout with an explicit seed so a run's seed fixes every mask. */
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: (() => number) | undefined): T {
  if (rate <= 0) return x;
  if (!seed) throw new Error('dropout needs a seed source when training');
  return tf.dropout(x, rate, undefined, seed()) as T;
}
