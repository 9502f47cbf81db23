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
  if (p.init === 'log-arange') {
    const n = p.shape[p.shape.length - 1]!;
    return Float32Array.from({ length: size }, (_, i) => Math.log((i % n) + 1));
  }
  if ('uniform' in p.init) {
    const b = p.init.uniform;
    return Float32Array.from({ length: size }, () => (2 * rng.uniform() - 1) * b);
  }
  if ('dtBias' in p.init) {
    // Mamba's dt_proj.bias: Δ = exp(U(log min, log max)), floored at 1e-4, stored as softplus⁻¹(Δ) = Δ + log(1 − e^−Δ).
    const [lo, hi] = p.init.dtBias;
    return Float32Array.from({ length: size }, () => {
      const dt = Math.max(Math.exp(Math.log(lo) + rng.uniform() * (Math.log(hi) - Math.log(lo))), 1e-4);
      return dt + Math.log(-Math.expm1(-dt));
    });
  }
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
