// A model of any family: its parameters as tf.Variables, created from the family's layout, and forward/decode
// delegated to the family's functions.
import { tf } from '../tf.ts';
import type { Rng } from '../rng.ts';
import { sizeOf, type ParamSpec } from '../../../shared/models/layout.ts';
import type { DecodeResult, Family, ForwardOptions, ForwardResult, KvCache, LanguageModel, ModelSpec } from './types.ts';

function initialValues(p: ParamSpec, rng: Rng): Float32Array {
  const size = sizeOf(p.shape);
  if (p.init === 'zeros') return new Float32Array(size);
  if (p.init === 'ones') return new Float32Array(size).fill(1);
  return rng.normalArray(size, p.init.normal);
}

export class Model implements LanguageModel {
  readonly family: ModelSpec['family'];
  readonly layout: readonly ParamSpec[];
  readonly params = new Map<string, tf.Variable>();

  constructor(
    private readonly impl: Family,
    readonly spec: ModelSpec,
    rng: Rng,
  ) {
    this.family = spec.family;
    this.layout = impl.layout.params(spec);
    for (const p of this.layout) this.params.set(p.name, tf.variable(tf.tensor(initialValues(p, rng), [...p.shape], 'float32'), true));
  }

  forward(idx: tf.Tensor2D, opts: ForwardOptions): ForwardResult {
    return this.impl.forward(this.params, this.spec, idx, opts);
  }

  decode(idx: tf.Tensor2D, cache: KvCache | null): DecodeResult {
    return this.impl.decode(this.params, this.spec, idx, cache);
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}
