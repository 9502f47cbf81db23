// Muon against the PyTorch reference (llama_reference.py, after KellerJordan/Muon in fp32): Newton–Schulz alone,
// and 3 steps on square, wide and tall matrices with and without Nesterov, on cpu and wasm, to 1e-5.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { tf } from '../tf.ts';
import { initBackend } from '../backend.ts';
import { transpose2d } from '../checkpoint/hf.ts';
import { Muon, muonScale, newtonSchulz } from './muon.ts';

interface MuonFixture {
  settings: { lr: number; momentum: number; ns_steps: number; weight_decay: number };
  shapes: Record<string, [number, number]>;
  cases: {
    nesterov: boolean;
    weights: Record<string, number[]>;
    grads: Record<string, number[]>[];
    after: Record<string, number[]>[];
    momentum_after: Record<string, number[]>;
  }[];
  ns: { g: number[]; shape: [number, number]; out: number[] };
}

const fx = (JSON.parse(readFileSync(new URL('../../../../tools/reference/fixtures/llama_tiny.json', import.meta.url), 'utf8')) as { muon: MuonFixture }).muon;

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < b.length; i++) err = Math.max(err, Math.abs(a[i]! - b[i]!));
  return err / scale;
}

/** The reference holds PyTorch's [out, in]; Loupe holds [in, out]. */
const toLoupe = (values: number[], [out, inp]: [number, number]): tf.Tensor2D =>
  tf.tensor2d(transpose2d(Float32Array.from(values), out, inp), [inp, out]);
const fromLoupe = (t: tf.Tensor2D): Float32Array => transpose2d(t.dataSync() as Float32Array, t.shape[0], t.shape[1]);

describe('muonScale', () => {
  it('is √(fan_out / fan_in) when the layer widens and 1 otherwise, for [in, out] matrices', () => {
    expect(muonScale([128, 512])).toBeCloseTo(2, 12);
    expect(muonScale([512, 128])).toBe(1);
    expect(muonScale([64, 64])).toBe(1);
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`Muon PyTorch parity on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
      expect(tf.getBackend()).toBe(backend);
    });

    it('Newton–Schulz matches the reference, and is transpose-equivariant', () => {
      const before = tf.memory().numTensors;
      const [r, c] = fx.ns.shape;
      const out = tf.tidy(() => newtonSchulz(tf.tensor2d(fx.ns.g, [r, c]), 5).dataSync());
      expect(maxRelErr(out, fx.ns.out)).toBeLessThan(1e-5);
      const outT = tf.tidy(() => fromLoupe(newtonSchulz(toLoupe(fx.ns.g, [r, c]), 5)));
      expect(maxRelErr(outT, fx.ns.out)).toBeLessThan(1e-5);
      expect(tf.memory().numTensors).toBe(before);
    });

    for (const k of fx.cases) {
      it(`3 steps on square, wide and tall matrices (nesterov ${k.nesterov})`, () => {
        const s = fx.settings;
        const params = new Map(Object.entries(k.weights).map(([name, w]) => [name, tf.variable(toLoupe(w, fx.shapes[name]!))]));
        const muon = new Muon(params, { momentum: s.momentum, nesterov: k.nesterov, nsSteps: s.ns_steps, weightDecay: s.weight_decay });
        const before = tf.memory().numTensors;
        k.grads.forEach((step, i) => {
          const grads = new Map(Object.entries(step).map(([name, g]) => [name, toLoupe(g, fx.shapes[name]!) as tf.Tensor]));
          muon.step(grads, s.lr);
          for (const g of grads.values()) g.dispose();
          for (const [name, p] of params) expect(maxRelErr(fromLoupe(p as tf.Tensor2D), k.after[i]![name]!), `${name} after step ${i + 1}`).toBeLessThan(1e-5);
        });
        expect(tf.memory().numTensors).toBe(before);
        const state = muon.exportState();
        for (const [name, m] of state.momentum) {
          const [out, inp] = fx.shapes[name]!;
          expect(maxRelErr(transpose2d(m, inp, out), k.momentum_after[name]!)).toBeLessThan(1e-5);
        }
        muon.dispose();
        for (const p of params.values()) p.dispose();
      });
    }
  });
}
