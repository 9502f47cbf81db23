// Parity with PyTorch for the mamba and hybrid families: the fixtures written by mamba_reference.py (tiny models,
// a batch, its logits, loss and every gradient, from a sequential-scan reference) must be reproduced on cpu (the
// chunked scan) and wasm (the fused scan kernel); decoding with the carried conv and scan states must give the
// logits of the full forward pass at every position; and a few training steps must lower the loss.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { tf } from '../../src/main/engine/tf.ts';
import { initBackend } from '../../src/main/engine/backend.ts';
import { hfTensors } from '../../src/main/engine/checkpoint/hf.ts';
import { type KvCache, type LanguageModel, type ModelSpec } from '../../src/main/engine/model/registry.ts';
import { crossEntropy } from '../../src/main/engine/model/loss.ts';
import { Trainer } from '../../src/main/engine/train.ts';
import { ModelConfig, RunConfig } from '../../src/shared/config.ts';
import { fixturesDir, maxRelErr, modelFromHfFixture } from './parity-fixtures.ts';

interface ModelFixture {
  model: Record<string, unknown> & { vocab_size: number; block_size: number };
  batch: number;
  x: number[];
  y: number[];
  logits: number[];
  loss: number;
  grads: Record<string, number[]>;
}

const fx = JSON.parse(readFileSync(new URL('mamba_tiny.json', fixturesDir), 'utf8')) as { models: Record<string, ModelFixture> };

function specOf(f: ModelFixture): ModelSpec {
  const { vocab_size, ...rest } = f.model;
  return { ...ModelConfig.parse({ ...rest, dropout: 0 }), vocab_size };
}

const fixtureModel = (key: string): LanguageModel => modelFromHfFixture(specOf(fx.models[key]!), `${key}_weights.safetensors`);

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`mamba and hybrid PyTorch parity on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
      expect(tf.getBackend()).toBe(backend);
    });

    for (const key of Object.keys(fx.models)) {
      const f = fx.models[key]!;
      const B = f.batch;
      const T = f.model.block_size;
      const V = f.model.vocab_size;

      it(`${key}: same logits, loss and every gradient from the same weights`, () => {
        const model = fixtureModel(key);
        const before = tf.memory().numTensors;
        const vars = [...model.params.values()];
        const { value, grads } = tf.variableGrads(() => {
          const { logits } = model.forward(tf.tensor2d(f.x, [B, T], 'int32'), { training: false });
          return crossEntropy(tf.reshape(logits, [B * T, V]) as tf.Tensor2D, tf.tensor1d(f.y, 'int32'));
        }, vars);
        expect(Math.abs(value.dataSync()[0]! - f.loss) / f.loss).toBeLessThan(1e-4);
        const logits = tf.tidy(() => model.forward(tf.tensor2d(f.x, [B, T], 'int32'), { training: false }).logits.dataSync());
        expect(maxRelErr(logits, f.logits)).toBeLessThan(1e-4);
        // Gradients in HF layout, as the reference holds them.
        const ours = new Map([...model.params].map(([name, v]) => [name, grads[v.name]!.dataSync() as Float32Array]));
        for (const t of hfTensors(model.spec, ours)) expect(maxRelErr(t.data, f.grads[t.name]!), t.name).toBeLessThan(1e-4);
        expect(Object.keys(f.grads).sort()).toEqual([...model.params.keys()].sort());
        value.dispose();
        for (const g of Object.values(grads)) g.dispose();
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      });

      it(`${key}: decoding with carried states equals the full forward pass at every position`, () => {
        const model = fixtureModel(key);
        const seq = f.x.slice(0, T);
        const full = tf.tidy(() => model.forward(tf.tensor2d(seq, [1, T], 'int32'), { training: false }).logits.dataSync());
        const before = tf.memory().numTensors;
        // A 5-token prompt in one call (longer than d_conv, so the conv state comes from inside it), then one token at a time.
        const prompt = 5;
        let cache: KvCache | null = null;
        const at = (pos: number): number[] => Array.from(full.slice(pos * V, (pos + 1) * V));
        for (let pos = prompt - 1; pos < T; pos++) {
          const ids = pos === prompt - 1 ? seq.slice(0, prompt) : [seq[pos]!];
          const idx = tf.tensor2d(ids, [1, ids.length], 'int32');
          const r: ReturnType<LanguageModel['decode']> = model.decode(idx, cache);
          idx.dispose();
          cache = r.cache;
          expect(cache.length).toBe(pos + 1);
          expect(maxRelErr(r.logits.dataSync(), at(pos)), `position ${pos}`).toBeLessThan(1e-5);
          r.logits.dispose();
        }
        expect(maxRelErr(at(T - 1), f.logits.slice((T - 1) * V, T * V))).toBeLessThan(1e-4);
        cache!.dispose();
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      });
    }
  });
}

describe('mamba and hybrid training on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  for (const model of [
    { family: 'mamba', n_layer: 2, d_model: 32, block_size: 32 },
    { family: 'hybrid', n_layer: 2, d_model: 32, n_head: 2, block_size: 32 },
  ]) {
    it(`${model.family}: a few AdamW steps lower the loss and leave no tensors behind`, () => {
      const config = RunConfig.parse({
        seed: 3,
        data: { tokenizer: 'char' },
        model,
        train: { steps: 12, lr: 1e-2, min_lr: 1e-2, warmup_steps: 0, schedule: 'constant', batch_size: 4, micro_batch_size: 4 },
      });
      const text = 'the whale, the sea, the ship. '.repeat(40);
      const t = new Trainer({ config, backend: tf.getBackend(), text });
      const losses: number[] = [];
      losses.push(t.trainStep().loss);
      const after = tf.memory().numTensors;
      for (let i = 0; i < 11; i++) losses.push(t.trainStep().loss);
      expect(tf.memory().numTensors).toBe(after);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses.slice(-3).reduce((a, b) => a + b) / 3).toBeLessThan(losses[0]! * 0.8);
      t.dispose();
    });
  }
});
