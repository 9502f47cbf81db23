// The contract every model family implements, so the train loop, checkpoints and sampling never depend on one
// architecture: a layout (shared with the renderer), a forward pass and a KV-cached decode over named weights.
import type { tf } from '../tf.ts';
import type { FamilyLayout, ModelSpec, ParamSpec } from '../../../shared/models/layout.ts';

export type { ModelSpec } from '../../../shared/models/layout.ts';

/** Parameters (or tensors standing in for them, as in gradient checks) by Hugging Face name. */
export type Weights = ReadonlyMap<string, tf.Tensor>;

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
  /** What the first block reads (the embedding output, before dropout), [batch, T, d]: diagnostics. */
  embedded: tf.Tensor3D;
  /**
   * Auxiliary losses the model itself asks to minimise (MoE load balancing), by part name: the value recorded as
   * train/<name> and the weight it enters the objective with (the model's own coefficient).
   */
  aux?: Record<string, { value: tf.Scalar; weight: number }>;
  /** A mixture-of-experts model's share of routed slots per expert, [n_layer, experts], rows summing to 1. */
  expertLoad?: tf.Tensor2D;
}

/** Per-layer cached keys/values for incremental decoding; opaque to callers. */
export interface KvCache {
  /** Number of positions already in the cache. */
  length: number;
  dispose(): void;
}

export interface DecodeResult {
  /** Logits of the last position [vocab]. */
  logits: tf.Tensor1D;
  cache: KvCache;
}

/** One model family on the engine side: its layout and the maths, as functions of the weights. */
export interface Family {
  readonly layout: FamilyLayout;
  forward(w: Weights, spec: ModelSpec, idx: tf.Tensor2D, opts: ForwardOptions): ForwardResult;
  /** Logits for the new tokens `idx` [1, t] given the cache (null: start a new one); the old cache is consumed. */
  decode(w: Weights, spec: ModelSpec, idx: tf.Tensor2D, cache: KvCache | null): DecodeResult;
}

export interface LanguageModel {
  readonly family: ModelSpec['family'];
  readonly spec: ModelSpec;
  /** Every parameter's name, shape, init and role, in the order of `params`. */
  readonly layout: readonly ParamSpec[];
  /** Trainable parameters in a fixed order, keyed by their Hugging Face name. */
  readonly params: Map<string, tf.Variable>;
  forward(idx: tf.Tensor2D, opts: ForwardOptions): ForwardResult;
  decode(idx: tf.Tensor2D, cache: KvCache | null): DecodeResult;
  dispose(): void;
}

export function paramCount(model: LanguageModel): number {
  let n = 0;
  for (const v of model.params.values()) n += v.size;
  return n;
}
