// The contract every model family implements, so the train loop, checkpoints and sampling never depend
// on one architecture: named parameters (Hugging Face names), a forward pass, and a KV-cached decode.
import type { tf } from '../tf.ts';
import type { ModelConfig } from '../../../shared/config.ts';

/** The model part of a run config plus what the data decides (vocabulary size). */
export type ModelSpec = ModelConfig & { vocab_size: number };

export interface ForwardOptions {
  /** Enables dropout. */
  training: boolean;
  /** Draws a seed for each dropout mask; required when training with dropout > 0 (determinism). */
  dropoutSeed?: () => number;
}

export interface ForwardResult {
  /** [batch, T, vocab] */
  logits: tf.Tensor3D;
  /** Output of every block, [batch, T, d] each (not the embedding output): dispersion loss and diagnostics. */
  hidden: tf.Tensor3D[];
}

/** Per-layer cached keys/values for incremental decoding; opaque to callers. */
export interface KvCache {
  /** Number of positions already in the cache. */
  length: number;
  dispose(): void;
}

export interface LanguageModel {
  readonly family: ModelSpec['family'];
  readonly spec: ModelSpec;
  /** Trainable parameters in a fixed order, keyed by their Hugging Face name. */
  readonly params: Map<string, tf.Variable>;
  forward(idx: tf.Tensor2D, opts: ForwardOptions): ForwardResult;
  /**
   * Logits for the new tokens `idx` [1, t] given the cache (null: start a new one). Returns the logits of the
   * last position [vocab] and the updated cache; the old cache is consumed.
   */
  decode(idx: tf.Tensor2D, cache: KvCache | null): { logits: tf.Tensor1D; cache: KvCache };
  /** Whether AdamW applies weight decay to this parameter (2-D weights, not embeddings, norms or biases). */
  decays(name: string): boolean;
  dispose(): void;
}

export function paramCount(model: LanguageModel): number {
  let n = 0;
  for (const v of model.params.values()) n += v.size;
  return n;
}
