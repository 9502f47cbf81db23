// Finite-difference checks of every layer's gradient (float32, central differences on sampled coordinates),
// on cpu and on wasm (where the engine's own kernels and custom gradients run).
import { describe, it, expect, beforeAll } from 'vitest';
import { tf } from '../tf.ts';
import { initBackend } from '../backend.ts';
import { causalAttention, gelu, linear } from '../ops.ts';
import { Rng } from '../rng.ts';
import { layerNorm } from './layers.ts';
import { crossEntropy } from './loss.ts';
import { dispersionLoss } from './dispersion.ts';
import { createModel } from './registry.ts';
import { gpt } from './families/gpt.ts';
import { ModelConfig } from '../../../shared/config.ts';

type Fn = (xs: tf.Tensor[]) => tf.Tensor;

/** Max over inputs of |autodiff − finite difference| / max|gradient| on `samples` coordinates each. */
function gradError(fn: Fn, inputs: { shape: number[]; data: Float32Array }[], samples = 12, eps = 1e-2): number {
  const rng = new Rng(11);
  const outShape = tf.tidy(() => fn(inputs.map((i) => tf.tensor(i.data, i.shape))).shape);
  const proj = tf.tensor(new Rng(12).normalArray(outShape.reduce((a, b) => a * b, 1), 1), outShape);
  const scalar = (xs: tf.Tensor[]): tf.Scalar => tf.sum(tf.mul(fn(xs), proj));
  const value = (datas: Float32Array[]): number =>
    tf.tidy(() => scalar(datas.map((d, k) => tf.tensor(d, inputs[k].shape))).dataSync()[0]);
  const grads = tf.tidy(() => tf.grads((...xs: tf.Tensor[]) => scalar(xs))(inputs.map((i) => tf.tensor(i.data, i.shape))).map((g) => g.dataSync() as Float32Array));
  let worst = 0;
  inputs.forEach((inp, k) => {
    const g = grads[k];
    const scale = Math.max(1e-6, ...Array.from(g, Math.abs));
    for (let s = 0; s < samples; s++) {
      const j = rng.int(inp.data.length);
      const datas = inputs.map((i) => i.data.slice());
      datas[k][j] = inp.data[j] + eps;
      const up = value(datas);
      datas[k][j] = inp.data[j] - eps;
      const down = value(datas);
      worst = Math.max(worst, Math.abs((up - down) / (2 * eps) - g[j]) / scale);
    }
  });
  proj.dispose();
  return worst;
}

const rnd = (shape: number[], seed: number, std = 1, mean = 0): { shape: number[]; data: Float32Array } => ({
  shape,
  data: new Rng(seed).normalArray(shape.reduce((a, b) => a * b, 1), std, mean),
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`gradients match finite differences on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });
    const tol = 2e-2;

    it('linear (with and without bias)', () => {
      expect(gradError((x) => linear(x[0] as tf.Tensor2D, x[1] as tf.Tensor2D, x[2] as tf.Tensor1D), [rnd([5, 4], 1), rnd([4, 3], 2), rnd([3], 3)])).toBeLessThan(tol);
      expect(gradError((x) => linear(x[0] as tf.Tensor2D, x[1] as tf.Tensor2D), [rnd([6, 8], 4), rnd([8, 5], 5)])).toBeLessThan(tol);
    });

    it('layerNorm', () => {
      expect(gradError((x) => layerNorm(x[0] as tf.Tensor2D, x[1] as tf.Tensor1D, x[2] as tf.Tensor1D), [rnd([4, 6], 6), rnd([6], 7, 0.3, 1), rnd([6], 8)])).toBeLessThan(tol);
    });

    it('gelu', () => {
      expect(gradError((x) => gelu(x[0]), [rnd([3, 7], 9, 2)])).toBeLessThan(tol);
    });

    it('causal attention', () => {
      expect(
        gradError((x) => causalAttention(x[0] as tf.Tensor4D, x[1] as tf.Tensor4D, x[2] as tf.Tensor4D), [rnd([2, 2, 5, 4], 10), rnd([2, 2, 5, 4], 11), rnd([2, 2, 5, 4], 12)]),
      ).toBeLessThan(tol);
    });

    it('embedding lookup (gather)', () => {
      const idx = tf.tensor1d([0, 3, 3, 1, 4], 'int32');
      expect(gradError((x) => tf.gather(x[0], idx), [rnd([5, 3], 13)])).toBeLessThan(tol);
      idx.dispose();
    });

    it('cross-entropy with label smoothing and z-loss', () => {
      const y = tf.tensor1d([1, 0, 4, 2], 'int32');
      expect(gradError((x) => crossEntropy(x[0] as tf.Tensor2D, y, { labelSmoothing: 0.1, zLoss: 1e-2 }), [rnd([4, 5], 14, 2)])).toBeLessThan(tol);
      y.dispose();
    });

    it('dispersion losses (all variants)', () => {
      for (const v of ['angular_spread', 'l2_repel', 'decorrelation', 'orthogonalization'] as const) {
        expect(gradError((x) => dispersionLoss([x[0] as tf.Tensor3D], 0.5, v), [rnd([2, 5, 6], 15)]), v).toBeLessThan(tol);
      }
    });

    it('a whole GPT (all parameters, through the loss)', () => {
      const spec = { ...ModelConfig.parse({ n_layer: 2, n_head: 2, d_model: 8, block_size: 6 }), vocab_size: 11 };
      const m = createModel(spec, new Rng(1));
      const names = [...m.params.keys()];
      const inputs = names.map((n, k) => {
        const p = m.params.get(n)!;
        // Larger weights than the init so every path carries gradient.
        return { shape: p.shape, data: Float32Array.from(p.dataSync(), (v, i) => v * 5 + (n.endsWith('.bias') ? 0.1 * Math.sin(i + k) : 0)) };
      });
      const idx = tf.tensor2d([[1, 5, 2, 9, 0, 3]], [1, 6], 'int32');
      const tgt = tf.tensor1d([5, 2, 9, 0, 3, 7], 'int32');
      const functional: Fn = (xs) =>
        crossEntropy(tf.reshape(gpt.forward(new Map(names.map((n, k) => [n, xs[k]!])), spec, idx, { training: false }).logits, [6, 11]) as tf.Tensor2D, tgt);
      expect(gradError(functional, inputs, 4, 1e-3)).toBeLessThan(tol);
      idx.dispose();
      tgt.dispose();
      m.dispose();
    });
  });
}
