// AdamW (Loshchilov & Hutter) exactly as torch.optim.AdamW computes it, with decoupled weight decay set per
// parameter group. State is two slots (exp_avg, exp_avg_sq) per parameter, as torch names them.
import { tf } from '../tf.ts';
import type { Grads } from './clip.ts';
import { defineKernel } from '../kernels/select.ts';
import { adamWFused, type AdamWAttrs } from '../kernels/wasm-optim.ts';
import { slotsOf } from '../../../shared/models/registry.ts';
import { decayByParam, type Optimizer, type OptimizerState, type ParamGroup } from './optimizer.ts';

const [EXP_AVG, EXP_AVG_SQ] = slotsOf('adamw') as [string, string];

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
}

/** One parameter's update in plain TF.js: p, g, m, v → [p', m', v']. */
function adamWReference(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, a: AdamWAttrs): tf.Tensor[] {
  const m2 = tf.add(tf.mul(m, a.beta1), tf.mul(g, 1 - a.beta1));
  const v2 = tf.add(tf.mul(v, a.beta2), tf.mul(tf.square(g), 1 - a.beta2));
  const decayed = a.keep !== 1 ? tf.mul(p, a.keep) : p;
  const denom = tf.add(tf.div(tf.sqrt(v2), a.bc2Sqrt), a.eps);
  return [tf.sub(decayed, tf.mul(tf.div(m2, denom), a.lr / a.bc1)), m2, v2];
}

/** On wasm one JavaScript pass per parameter (same arithmetic) instead of ~13 elementwise kernels. */
export const adamWUpdateOp = defineKernel('adamw', adamWReference, { wasm: adamWFused });

export class AdamW implements Optimizer {
  readonly name = 'adamw' as const;
  private t = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private readonly weightDecay: Map<string, number>;

  constructor(
    private readonly params: Map<string, tf.Variable>,
    readonly groups: readonly ParamGroup[],
    private readonly opts: AdamWOptions,
  ) {
    this.weightDecay = decayByParam(groups);
    for (const [name, p] of params) {
      this.m.set(name, tf.variable(tf.zerosLike(p), false));
      this.v.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  step(grads: Grads, lr: number): void {
    this.t += 1;
    const { beta1, beta2, eps } = this.opts;
    const bc1 = 1 - beta1 ** this.t;
    const bc2Sqrt = Math.sqrt(1 - beta2 ** this.t);
    const update = adamWUpdateOp.run;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g = grads.get(name);
        if (!g) continue;
        const wd = this.weightDecay.get(name) ?? 0;
        const [p2, m2, v2] = update(p, g, this.m.get(name)!, this.v.get(name)!, { lr, beta1, beta2, eps, keep: wd > 0 ? 1 - lr * wd : 1, bc1, bc2Sqrt });
        this.m.get(name)!.assign(m2!);
        this.v.get(name)!.assign(v2!);
        p.assign(p2!);
      }
    });
  }

  state(): OptimizerState {
    const copy = (slot: Map<string, tf.Variable>): Map<string, Float32Array> =>
      new Map([...this.params.keys()].map((name) => [name, (slot.get(name)!.dataSync() as Float32Array).slice()]));
    return { optimizer: this.name, step: this.t, slots: new Map([[EXP_AVG, copy(this.m)], [EXP_AVG_SQ, copy(this.v)]]) };
  }

  load(state: OptimizerState): void {
    if (state.optimizer !== this.name) throw new Error(`optimizer state is for ${state.optimizer}, not ${this.name}`);
    for (const [slotName, slot] of [[EXP_AVG, this.m], [EXP_AVG_SQ, this.v]] as const) {
      for (const [name, variable] of slot) {
        const values = state.slots.get(slotName)?.get(name);
        if (!values) throw new Error(`optimizer state is missing ${this.name}.${slotName}.${name}`);
        tf.tidy(() => variable.assign(tf.tensor(values, variable.shape, 'float32')));
      }
    }
    this.t = state.step;
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
  }
}
