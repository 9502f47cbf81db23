// AdamW (Loshchilov & Hutter) exactly as torch.optim.AdamW computes it, with decoupled weight decay applied
// only where the model says so (2-D weights). State is plain named float arrays so checkpoints can carry it.
import { tf } from '../tf.ts';
import type { Grads } from './clip.ts';
import { ADAMW, type AdamWAttrs } from '../kernels/wasm-optim.ts';
import { wasmKernelActive } from '../kernels/wasm.ts';
import { readNamed } from '../readback.ts';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Which parameters get weight decay. */
  decays: (name: string) => boolean;
}

export interface AdamWState {
  /** Updates taken so far (bias correction uses it). */
  t: number;
  /** exp_avg and exp_avg_sq per parameter name. */
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

export class AdamW {
  private t = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(
    private readonly params: Map<string, tf.Variable>,
    private readonly opts: AdamWOptions,
  ) {
    for (const [name, p] of params) {
      this.m.set(name, tf.variable(tf.zerosLike(p), false));
      this.v.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  get steps(): number {
    return this.t;
  }

  /**
   * One update with learning rate `lr`; gradients are not disposed here. `gradScale`, a device scalar, multiplies
   * every gradient first (gradient clipping decided on the device).
   */
  step(grads: Grads, lr: number, gradScale?: tf.Scalar): void {
    this.t += 1;
    const { beta1, beta2, eps, weightDecay } = this.opts;
    const bc1 = 1 - beta1 ** this.t;
    const bc2Sqrt = Math.sqrt(1 - beta2 ** this.t);
    // On wasm one fused kernel per parameter (same arithmetic); elsewhere the elementwise ops.
    const fused = wasmKernelActive(ADAMW);
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const raw = grads.get(name);
        if (!raw) continue;
        const g = gradScale ? tf.mul(raw, gradScale) : raw;
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        const decays = weightDecay > 0 && this.opts.decays(name);
        if (fused) {
          const attrs: AdamWAttrs = { lr, beta1, beta2, eps, keep: decays ? 1 - lr * weightDecay : 1, bc1, bc2Sqrt };
          const [p2, m2, v2] = tf.engine().runKernel(ADAMW, { p, g, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
          m.assign(m2!);
          v.assign(v2!);
          p.assign(p2!);
          continue;
        }
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const decayed = decays ? tf.mul(p, 1 - lr * weightDecay) : p;
        const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), eps);
        p.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), lr / bc1)));
      }
    });
  }

  exportState(): AdamWState {
    const m = new Map<string, Float32Array>();
    const v = new Map<string, Float32Array>();
    for (const name of this.params.keys()) {
      m.set(name, (this.m.get(name)!.dataSync() as Float32Array).slice());
      v.set(name, (this.v.get(name)!.dataSync() as Float32Array).slice());
    }
    return { t: this.t, m, v };
  }

  /** exportState() read asynchronously. */
  async exportStateAsync(): Promise<AdamWState> {
    const t = this.t;
    const [m, v] = await Promise.all([readNamed(this.m), readNamed(this.v)]);
    return { t, m, v };
  }

  loadState(state: AdamWState): void {
    for (const name of this.params.keys()) {
      const m = state.m.get(name);
      const v = state.v.get(name);
      if (!m || !v) throw new Error(`optimizer state is missing ${name}`);
      const shape = this.params.get(name)!.shape;
      tf.tidy(() => {
        this.m.get(name)!.assign(tf.tensor(m, shape, 'float32'));
        this.v.get(name)!.assign(tf.tensor(v, shape, 'float32'));
      });
    }
    this.t = state.t;
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
  }
}
