// Dispersion-loss variants and the condensation measure against the NumPy reference (dispersion_reference.py),
// to 1e-5, on cpu and wasm.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { tf } from '../../src/main/engine/tf.ts';
import { initBackend } from '../../src/main/engine/backend.ts';
import { dispersionLoss, type DispersionVariant } from '../../src/main/engine/model/dispersion.ts';
import { layerCondensation } from '../../src/main/engine/diagnostics/condensation.ts';

interface Fixture {
  shape: [number, number, number];
  layers: number[][];
  dispersion: { variant: DispersionVariant; tau: number; loss: number }[];
  condensation: { states: number[]; mean: number; histogram: number[] }[];
}

const fx = JSON.parse(readFileSync(new URL('./fixtures/dispersion_condensation.json', import.meta.url), 'utf8')) as Fixture;

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`dispersion loss matches NumPy on ${backend}`, () => {
    for (const c of fx.dispersion) {
      it(`${c.variant}, τ = ${c.tau}`, async () => {
        await initBackend(backend);
        const before = tf.memory().numTensors;
        const got = tf.tidy(() => dispersionLoss(fx.layers.map((l) => tf.tensor3d(l, fx.shape)), c.tau, c.variant).dataSync()[0]!);
        expect(Math.abs(got - c.loss)).toBeLessThan(1e-5);
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  });
}

describe('condensation matches NumPy', () => {
  it('mean pairwise cosine and the 128-bin histogram of a spread and a condensed layer', () => {
    const [, t, d] = fx.shape;
    for (const c of fx.condensation) {
      const got = layerCondensation(1, Float32Array.from(c.states), t, d);
      expect(Math.abs(got.meanCosine - c.mean)).toBeLessThan(1e-5);
      expect(got.histogram).toEqual(c.histogram);
      expect(got.pairs).toBe((t * (t - 1)) / 2);
    }
    expect(fx.condensation[1]!.mean).toBeGreaterThan(0.9);
    expect(Math.abs(fx.condensation[0]!.mean)).toBeLessThan(0.2);
  });
});
