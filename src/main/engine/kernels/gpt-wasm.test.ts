// End to end through the real GPT: on wasm every kernel a training step needs exists, and loss and gradients
// (through our kernels and fast paths) equal the cpu backend's for the same weights and batch.
import { describe, it, expect } from 'vitest';
import { tf } from '../tf.ts';
import { initBackend } from '../backend.ts';
import { createModel, type LanguageModel } from '../model/registry.ts';
import { crossEntropy } from '../model/loss.ts';
import { Rng } from '../rng.ts';
import { ModelConfig } from '../../../shared/config.ts';
import type { ModelSpec } from '../model/types.ts';

const B = 3;
const T = 16;

function spec(o: Partial<ModelSpec>): ModelSpec {
  return { ...ModelConfig.parse({ n_layer: 2, n_head: 2, d_model: 32, block_size: T }), vocab_size: 256, ...o };
}

function batch(seed: number): { x: Int32Array; y: Int32Array } {
  const rng = new Rng(seed);
  return {
    x: Int32Array.from({ length: B * T }, () => rng.int(256)),
    y: Int32Array.from({ length: B * T }, () => rng.int(256)),
  };
}

/** Loss and gradients (by parameter name) of one batch, as plain arrays. */
function lossAndGrads(m: LanguageModel, x: Int32Array, y: Int32Array, training: boolean, seedRng?: Rng): { loss: number; grads: Map<string, Float32Array> } {
  const result = { loss: NaN, grads: new Map<string, Float32Array>() };
  tf.tidy(() => {
    const vars = [...m.params.values()];
    const names = new Map([...m.params].map(([n, v]) => [v.name, n]));
    const { value, grads } = tf.variableGrads(() => {
      const { logits } = m.forward(tf.tensor2d(x, [B, T], 'int32'), { training, dropoutSeed: seedRng ? () => seedRng.nextU32() : undefined });
      return crossEntropy(tf.reshape(logits, [B * T, -1]) as tf.Tensor2D, tf.tensor1d(y, 'int32'));
    }, vars);
    for (const [vn, g] of Object.entries(grads)) result.grads.set(names.get(vn)!, g.dataSync() as Float32Array);
    result.loss = value.dataSync()[0]!;
  });
  return result;
}

describe('GPT training step on wasm', () => {
  for (const variant of [
    { bias: true, tie_embeddings: true },
    { bias: false, tie_embeddings: false },
  ]) {
    it(`gives the cpu backend's loss and gradients (bias ${variant.bias}, tied ${variant.tie_embeddings})`, async () => {
      const { x, y } = batch(5);
      const run = async (b: 'wasm' | 'cpu') => {
        await initBackend(b);
        const m = createModel(spec(variant), new Rng(11));
        const r = lossAndGrads(m, x, y, false);
        m.dispose();
        return r;
      };
      const w = await run('wasm');
      const c = await run('cpu');
      expect(Math.abs(w.loss - c.loss) / c.loss).toBeLessThan(1e-5);
      expect([...w.grads.keys()].sort()).toEqual([...c.grads.keys()].sort());
      for (const [name, gc] of c.grads) {
        const gw = w.grads.get(name)!;
        let scale = 1e-8;
        let worst = 0;
        for (let i = 0; i < gc.length; i++) scale = Math.max(scale, Math.abs(gc[i]!));
        for (let i = 0; i < gc.length; i++) worst = Math.max(worst, Math.abs(gw[i]! - gc[i]!));
        expect(worst / scale, name).toBeLessThan(1e-4);
      }
    });
  }

  it("with dropout, gives the cpu backend's loss and gradients for the same seeds (same masks)", async () => {
    const { x, y } = batch(6);
    const run = async (b: 'wasm' | 'cpu') => {
      await initBackend(b);
      const m = createModel(spec({ dropout: 0.15 }), new Rng(12));
      const r = lossAndGrads(m, x, y, true, new Rng(13));
      m.dispose();
      return r;
    };
    const w = await run('wasm');
    const c = await run('cpu');
    expect(Math.abs(w.loss - c.loss) / c.loss).toBeLessThan(1e-5);
    for (const [name, gc] of c.grads) {
      const gw = w.grads.get(name)!;
      let scale = 1e-8;
      let worst = 0;
      for (let i = 0; i < gc.length; i++) scale = Math.max(scale, Math.abs(gc[i]!));
      for (let i = 0; i < gc.length; i++) worst = Math.max(worst, Math.abs(gw[i]! - gc[i]!));
      expect(worst / scale, name).toBeLessThan(1e-4);
    }
  });

  it('trains with dropout on wasm: finite loss that falls, no leaked tensors', async () => {
    await initBackend('wasm');
    const m = createModel(spec({ dropout: 0.1 }), new Rng(3));
    const { x, y } = batch(8);
    const seeds = new Rng(4);
    const sgd = (lr: number) => {
      const { loss, grads } = lossAndGrads(m, x, y, true, seeds);
      tf.tidy(() => {
        for (const [name, v] of m.params) v.assign(tf.sub(v, tf.mul(tf.tensor(grads.get(name)!, v.shape), lr)));
      });
      return loss;
    };
    const first = sgd(0.5);
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 8; i++) last = sgd(0.5);
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(first);
    m.dispose();
  });

  it('with dropout (residual and attention) on wasm, the same seeds give bit-identical gradients and others differ', async () => {
    await initBackend('wasm');
    const m = createModel(spec({ dropout: 0.2 }), new Rng(3));
    const { x, y } = batch(9);
    const run = (seed: number) => lossAndGrads(m, x, y, true, new Rng(seed));
    const a = run(21);
    const b = run(21);
    const c = run(22);
    expect(b.loss).toBe(a.loss);
    for (const [name, g] of a.grads) expect(Array.from(b.grads.get(name)!), name).toEqual(Array.from(g));
    expect(c.loss).not.toBe(a.loss);
    // Dropout really acts in training and not in eval: eval twice is identical, and differs from training.
    const e1 = lossAndGrads(m, x, y, false);
    const e2 = lossAndGrads(m, x, y, false);
    expect(e2.loss).toBe(e1.loss);
    expect(a.loss).not.toBe(e1.loss);
    m.dispose();
  });
});
