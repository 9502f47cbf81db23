// The GPT model: shapes, initial loss ≈ ln(vocab), overfitting one batch, and flat tensor counts across steps.
import { describe, it, expect, beforeAll } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { tf } from '../../tf.ts';
import { Rng } from '../../rng.ts';
import { createModel } from '../registry.ts';
import { crossEntropy } from '../loss.ts';
import { paramCount, type ModelSpec } from '../types.ts';
import { ModelConfig } from '../../../../shared/config.ts';

const spec = (o: Partial<ModelSpec> = {}): ModelSpec => ({ ...ModelConfig.parse({}), vocab_size: 256, ...o });

describe('GPT model', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('has the Hugging Face GPT-2 names and shapes, and nanoGPT parameter count', () => {
    const m = createModel(spec({ n_layer: 4, n_head: 4, d_model: 128, block_size: 64 }), new Rng(1));
    expect(m.params.get('transformer.h.0.attn.c_attn.weight')!.shape).toEqual([128, 384]);
    expect(m.params.get('transformer.h.3.mlp.c_proj.weight')!.shape).toEqual([512, 128]);
    expect(m.params.get('transformer.wpe.weight')!.shape).toEqual([64, 128]);
    expect(m.params.has('lm_head.weight')).toBe(false);
    // 12·L·d² + L·13·d (biases, norms) + 2d (ln_f) + V·d + T·d
    const L = 4, d = 128;
    expect(paramCount(m)).toBe(12 * L * d * d + 13 * L * d + 2 * d + 256 * d + 64 * d);
    const role = (name: string): string | undefined => m.layout.find((p) => p.name === name)?.role;
    expect(role('transformer.h.0.attn.c_attn.weight')).toBe('matrix');
    expect(role('transformer.wte.weight')).toBe('embedding');
    expect(role('transformer.wpe.weight')).toBe('embedding');
    expect(role('transformer.h.0.ln_1.weight')).toBe('norm');
    expect(role('transformer.h.0.attn.c_attn.bias')).toBe('bias');
    expect([...m.params.keys()]).toEqual(m.layout.map((p) => p.name));
    m.dispose();
  });

  it('initial loss is close to ln(vocab)', () => {
    const m = createModel(spec({ n_layer: 2, n_head: 2, d_model: 32, block_size: 16 }), new Rng(3));
    const rng = new Rng(9);
    const x = Int32Array.from({ length: 4 * 16 }, () => rng.int(256));
    const y = Int32Array.from({ length: 4 * 16 }, () => rng.int(256));
    const loss = tf.tidy(() => {
      const { logits } = m.forward(tf.tensor2d(x, [4, 16], 'int32'), { training: false });
      return crossEntropy(tf.reshape(logits, [64, 256]) as tf.Tensor2D, tf.tensor1d(y, 'int32')).dataSync()[0];
    });
    expect(Math.abs(loss - Math.log(256))).toBeLessThan(0.05);
    m.dispose();
  });

  it('init is deterministic per seed and follows N(0, 0.02) with scaled residual projections', () => {
    const s = spec({ n_layer: 4, d_model: 64, n_head: 4 });
    const a = createModel(s, new Rng(5));
    const b = createModel(s, new Rng(5));
    const c = createModel(s, new Rng(6));
    const wa = a.params.get('transformer.h.1.mlp.c_fc.weight')!.dataSync();
    expect(Array.from(wa)).toEqual(Array.from(b.params.get('transformer.h.1.mlp.c_fc.weight')!.dataSync()));
    expect(Array.from(wa)).not.toEqual(Array.from(c.params.get('transformer.h.1.mlp.c_fc.weight')!.dataSync()));
    const std = (v: ArrayLike<number>): number => {
      let s2 = 0;
      for (let i = 0; i < v.length; i++) s2 += v[i] * v[i];
      return Math.sqrt(s2 / v.length);
    };
    expect(std(wa)).toBeCloseTo(0.02, 3);
    expect(std(a.params.get('transformer.h.1.attn.c_proj.weight')!.dataSync())).toBeCloseTo(0.02 / Math.sqrt(8), 3);
    expect(Array.from(a.params.get('transformer.h.0.ln_1.weight')!.dataSync()).every((v) => v === 1)).toBe(true);
    for (const m of [a, b, c]) m.dispose();
  });

  it('is causal: changing a later token does not change earlier logits', () => {
    const m = createModel(spec({ n_layer: 2, n_head: 2, d_model: 16, block_size: 8 }), new Rng(2));
    const run = (last: number): Float32Array =>
      tf.tidy(() => m.forward(tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, last]], [1, 8], 'int32'), { training: false }).logits.slice([0, 0, 0], [1, 7, 256]).dataSync() as Float32Array);
    const a = run(8);
    const b = run(200);
    expect(Array.from(a)).toEqual(Array.from(b));
    m.dispose();
  });

  it('without bias and with an untied head it has no biases and an lm_head', () => {
    const m = createModel(spec({ n_layer: 1, n_head: 2, d_model: 16, block_size: 8, bias: false, tie_embeddings: false }), new Rng(2));
    expect([...m.params.keys()].some((k) => k.endsWith('.bias'))).toBe(false);
    expect(m.params.get('lm_head.weight')!.shape).toEqual([256, 16]);
    const shape = tf.tidy(() => m.forward(tf.zeros([2, 8], 'int32') as tf.Tensor2D, { training: false }).logits.shape);
    expect(shape).toEqual([2, 8, 256]);
    m.dispose();
  });

  it('KV-cached decoding gives the same last-position logits as a full forward', () => {
    const m = createModel(spec({ n_layer: 2, n_head: 2, d_model: 16, block_size: 8 }), new Rng(4));
    const ids = [5, 9, 200, 31, 7, 7];
    const full = tf.tidy(() => m.forward(tf.tensor2d([ids], [1, 6], 'int32'), { training: false }).logits.slice([0, 5, 0], [1, 1, 256]).dataSync());
    let r = m.decode(tf.tensor2d([ids.slice(0, 3)], [1, 3], 'int32'), null);
    for (const id of ids.slice(3)) {
      r.logits.dispose();
      r = m.decode(tf.tensor2d([[id]], [1, 1], 'int32'), r.cache);
    }
    const inc = r.logits.dataSync();
    for (let i = 0; i < 256; i++) expect(inc[i]).toBeCloseTo(full[i], 4);
    r.logits.dispose();
    r.cache.dispose();
    m.dispose();
  });
});
