// Muon (Jordan et al. 2024, KellerJordan/Muon muon.py) for 2-D hidden matrices: Nesterov momentum, the update
// orthogonalised by 5 quintic Newton–Schulz steps, scaled by √max(1, fan_out/fan_in), and decoupled weight decay;
// AdamW for the rest (embeddings, head, norms, biases), as muon.py's MuonWithAuxAdam splits them. Loupe holds
// matrices as [in, out] (x·W); the shape rule is muon.py's, written for PyTorch's [out, in].
import { tf } from '../tf.ts';
import { matMul2d } from '../ops.ts';
import type { TrainConfig } from '../../../shared/config.ts';
import type { ParamRole, ParamSpec } from '../../../shared/models/layout.ts';
import { slotsOf } from '../../../shared/models/registry.ts';
import type { Grads } from './clip.ts';
import { AdamW } from './adamw.ts';
import { decayGroups, type Optimizer, type OptimizerState, type ParamGroup } from './optimizer.ts';

const [MOMENTUM, EXP_AVG, EXP_AVG_SQ] = slotsOf('muon') as [string, string, string];

/** Muon takes the hidden matrices; embeddings and the head (whose rows are looked up, not mixed), norms and biases stay on AdamW. */
export function usesMuon(role: ParamRole, shape: readonly number[]): boolean {
  return role === 'matrix' && shape.length === 2;
}

/** Quintic Newton–Schulz coefficients (a, b, c) tuned for the steepest slope at zero (muon.py). */
export const NS_COEFFICIENTS = [3.4445, -4.775, 2.0315] as const;

export interface MuonOptions {
  momentum: number;
  nesterov: boolean;
  nsSteps: number;
  weightDecay: number;
}

/**
 * An approximate orthogonalisation of g (its singular values pushed towards 1, roughly into [0.7, 1.2]): X = g /
 * (‖g‖_F + 1e-7), then X ← aX + (bA + cA²)X with A = XXᵀ, on the wide orientation (transposed when taller than wide).
 */
export function newtonSchulz(g: tf.Tensor2D, steps: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [a, b, c] = NS_COEFFICIENTS;
    const tall = g.shape[0] > g.shape[1];
    let x = tall ? (tf.transpose(g) as tf.Tensor2D) : g;
    x = tf.div(x, tf.add(tf.sqrt(tf.sum(tf.mul(x, x))), 1e-7));
    for (let i = 0; i < steps; i++) {
      const A = matMul2d(x, x, false, true);
      const B = tf.add(tf.mul(A, b), tf.mul(matMul2d(A, A), c)) as tf.Tensor2D;
      x = tf.add(tf.mul(x, a), matMul2d(B, x));
    }
    return tall ? (tf.transpose(x) as tf.Tensor2D) : x;
  });
}

/** √max(1, fan_out / fan_in) for a matrix held [in, out]: keeps the update's RMS comparable across shapes. */
export function muonScale(shape: readonly number[]): number {
  const [fanIn, fanOut] = shape as [number, number];
  return Math.sqrt(Math.max(1, fanOut / fanIn));
}

export interface MuonState {
  /** momentum_buffer per parameter name. */
  momentum: Map<string, Float32Array>;
}

/** The Muon half: momentum and orthogonalised updates for the matrices it is given. */
export class Muon {
  private readonly buf = new Map<string, tf.Variable>();

  /** `params`: only the matrices Muon owns (2-D, [in, out]). */
  constructor(
    private readonly params: Map<string, tf.Variable>,
    private readonly opts: MuonOptions,
  ) {
    for (const [name, p] of params) {
      if (p.rank !== 2) throw new Error(`Muon takes 2-D matrices; ${name} has shape [${p.shape}]`);
      this.buf.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  get names(): string[] {
    return [...this.params.keys()];
  }

  /** One update with learning rate `lr`; gradients are not disposed here. */
  step(grads: Grads, lr: number): void {
    const { momentum, nesterov, nsSteps, weightDecay } = this.opts;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g = grads.get(name);
        if (!g) continue;
        const buf = this.buf.get(name)!;
        // buf ← lerp(buf, g, 1 − β); Nesterov orthogonalises lerp(g, buf, β), plain momentum the buffer itself.
        const next = tf.add(buf, tf.mul(tf.sub(g, buf), 1 - momentum));
        buf.assign(next);
        const direction = nesterov ? tf.add(g, tf.mul(tf.sub(next, g), momentum)) : next;
        const update = newtonSchulz(direction as tf.Tensor2D, nsSteps);
        const decayed = weightDecay > 0 ? tf.mul(p, 1 - lr * weightDecay) : p;
        p.assign(tf.sub(decayed, tf.mul(update, lr * muonScale(p.shape))));
      }
    });
  }

  exportState(): MuonState {
    const momentum = new Map<string, Float32Array>();
    for (const [name, b] of this.buf) momentum.set(name, (b.dataSync() as Float32Array).slice());
    return { momentum };
  }

  loadState(state: MuonState): void {
    for (const [name, b] of this.buf) {
      const m = state.momentum.get(name);
      if (!m) throw new Error(`optimizer state is missing muon momentum of ${name}`);
      if (m.length !== b.size) throw new Error(`muon momentum of ${name} has ${m.length} values, not ${b.size}`);
      tf.tidy(() => b.assign(tf.tensor(m, b.shape, 'float32')));
    }
  }

  dispose(): void {
    for (const b of this.buf.values()) b.dispose();
    this.buf.clear();
  }
}

function subset(params: Map<string, tf.Variable>, names: readonly string[]): Map<string, tf.Variable> {
  return new Map(names.map((n) => [n, params.get(n)!]));
}

/**
 * The `muon` optimizer: Muon on the hidden matrices at train.muon.lr, AdamW on everything else at train.lr, one
 * schedule for both (Muon's rate is scaled by the same factor as AdamW's). State: Muon's momentum_buffer per matrix,
 * AdamW's exp_avg and exp_avg_sq per other parameter.
 */
export class MuonWithAdamW implements Optimizer {
  readonly name = 'muon' as const;
  readonly groups: readonly ParamGroup[];
  private readonly muon: Muon;
  private readonly adamw: AdamW;
  private readonly lrRatio: number;

  constructor(params: Map<string, tf.Variable>, layout: readonly ParamSpec[], train: TrainConfig) {
    const matrices = layout.filter((p) => usesMuon(p.role, p.shape));
    const rest = layout.filter((p) => !usesMuon(p.role, p.shape));
    const m = train.muon;
    this.muon = new Muon(subset(params, matrices.map((p) => p.name)), {
      momentum: m.momentum,
      nesterov: m.nesterov,
      nsSteps: m.ns_steps,
      weightDecay: m.weight_decay,
    });
    this.adamw = new AdamW(subset(params, rest.map((p) => p.name)), decayGroups(rest, train.weight_decay), {
      beta1: train.beta1,
      beta2: train.beta2,
      eps: train.eps,
    });
    this.lrRatio = m.lr / train.lr;
    const muonGroup: ParamGroup[] = matrices.length > 0 ? [{ name: 'muon', params: matrices.map((p) => p.name), weightDecay: m.weight_decay }] : [];
    this.groups = [...muonGroup, ...this.adamw.groups];
  }

  /** `lr` is AdamW's scheduled rate; Muon takes the same fraction of its own peak. */
  step(grads: Grads, lr: number): void {
    this.adamw.step(grads, lr);
    this.muon.step(grads, lr * this.lrRatio);
  }

  state(): OptimizerState {
    const adam = this.adamw.state();
    const slots = new Map<string, Map<string, Float32Array>>([[MOMENTUM, this.muon.exportState().momentum]]);
    for (const [slot, values] of adam.slots) slots.set(slot, values);
    return { optimizer: this.name, step: adam.step, slots };
  }

  load(state: OptimizerState): void {
    if (state.optimizer !== this.name) throw new Error(`optimizer state is for ${state.optimizer}, not ${this.name}`);
    const slot = (name: string): Map<string, Float32Array> => state.slots.get(name) ?? new Map();
    this.adamw.load({ optimizer: 'adamw', step: state.step, slots: new Map([[EXP_AVG, slot(EXP_AVG)], [EXP_AVG_SQ, slot(EXP_AVG_SQ)]]) });
    this.muon.loadState({ momentum: slot(MOMENTUM) });
  }

  dispose(): void {
    this.muon.dispose();
    this.adamw.dispose();
  }
}
