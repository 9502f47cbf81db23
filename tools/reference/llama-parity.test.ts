// Parity with PyTorch for the llama family: the fixtures written by llama_reference.py (two tiny models in HF
// layout, a batch, its logits, loss and every gradient) must be reproduced on cpu and wasm, and decoding with the
// KV cache must give the same logits as the full forward pass at every position.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { tf } from '../../src/main/engine/tf.ts';
import { initBackend } from '../../src/main/engine/backend.ts';
import { decodeSafetensors } from '../../src/main/engine/checkpoint/safetensors.ts';
import { hfTensors, paramsFromHf } from '../../src/main/engine/checkpoint/hf.ts';
import { type KvCache, type LanguageModel, type ModelSpec } from '../../src/main/engine/model/registry.ts';
import { crossEntropy } from '../../src/main/engine/model/loss.ts';
import { Trainer } from '../../src/main/engine/train.ts';
import { fixturesDir, maxRelErr, modelFromHfFixture } from './parity-fixtures.ts';
import { ModelConfig, RunConfig } from '../../src/shared/config.ts';

interface ModelFixture {
  model: {
    vocab_size: number;
    block_size: number;
    n_layer: number;
    n_head: number;
    n_kv_head: number;
    d_model: number;
    mlp_hidden: number;
    norm_eps: number;
    rope_theta: number;
    tie_embeddings: boolean;
    /** Only in the fixture that relies on the SwiGLU default width (always 32 there, as Loupe's rule). */
    multiple_of?: number;
  };
  batch: number;
  x: number[];
  y: number[];
  logits: number[];
  loss: number;
  grads: Record<string, number[]>;
}

const dir = fixturesDir;
interface TrainingFixture {
  train: {
    steps: number;
    lr: number;
    beta1: number;
    beta2: number;
    eps: number;
    weight_decay: number;
    grad_clip: number;
    muon: { lr: number; momentum: number; nesterov: boolean; ns_steps: number; weight_decay: number };
  };
  batches: { x: number[]; y: number[] }[];
  losses: number[];
  grad_norms: number[];
  params_after: Record<string, number[]>;
}

const fx = JSON.parse(readFileSync(new URL('llama_tiny.json', dir), 'utf8')) as { models: Record<string, ModelFixture>; training: TrainingFixture };

function llamaSpec(m: ModelFixture['model'], explicitHidden: boolean): ModelSpec {
  const { vocab_size, mlp_hidden, multiple_of, ...rest } = m;
  if (multiple_of != null) expect(multiple_of).toBe(32);
  return {
    ...ModelConfig.parse({ family: 'llama', ...rest, ...(explicitHidden ? { mlp_hidden } : {}), dropout: 0 }),
    vocab_size,
  };
}

/** The fixture's model, checking the MLP width each fixture relies on. */
function fixtureModel(key: string): LanguageModel {
  const f = fx.models[key]!;
  // The gqa fixture relies on the SwiGLU default width (64 for d 16); mha sets its width explicitly.
  const spec = llamaSpec(f.model, key === 'mha');
  const model = modelFromHfFixture(spec, `llama_${key}_weights.safetensors`);
  expect(model.params.get('model.layers.0.mlp.gate_proj.weight')!.shape).toEqual([f.model.d_model, f.model.mlp_hidden]);
  return model;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`llama PyTorch parity on ${backend}`, () => {
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
        for (const t of hfTensors(model.spec, ours)) {
          expect(maxRelErr(t.data, f.grads[t.name]!), t.name).toBeLessThan(1e-4);
        }
        expect(Object.keys(f.grads).sort()).toEqual([...model.params.keys()].sort());
        value.dispose();
        for (const g of Object.values(grads)) g.dispose();
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      });

      it(`${key}: KV-cache decoding equals the full forward pass, with RoPE positions continuing past the prompt`, () => {
        const model = fixtureModel(key);
        const seq = f.x.slice(0, T);
        const full = tf.tidy(() => model.forward(tf.tensor2d(seq, [1, T], 'int32'), { training: false }).logits.dataSync());
        const before = tf.memory().numTensors;
        // A 3-token prompt in one block, then one token at a time: positions 3, 4, … must rotate as in the full pass.
        const prompt = 3;
        let cache: KvCache | null = null;
        const step = (ids: number[]): ReturnType<LanguageModel['decode']> => {
          const idx = tf.tensor2d(ids, [1, ids.length], 'int32');
          const out = model.decode(idx, cache);
          idx.dispose();
          return out;
        };
        let r = step(seq.slice(0, prompt));
        cache = r.cache;
        const at = (pos: number): number[] => Array.from(full.slice(pos * V, (pos + 1) * V));
        expect(maxRelErr(r.logits.dataSync(), at(prompt - 1))).toBeLessThan(1e-5);
        r.logits.dispose();
        for (let pos = prompt; pos < T; pos++) {
          r = step([seq[pos]!]);
          cache = r.cache;
          expect(cache.length).toBe(pos + 1);
          expect(maxRelErr(r.logits.dataSync(), at(pos)), `position ${pos}`).toBeLessThan(1e-5);
          r.logits.dispose();
        }
        // The last position also matches PyTorch's logits for this row.
        expect(maxRelErr(at(T - 1), f.logits.slice((T - 1) * V, T * V))).toBeLessThan(1e-4);
        r.cache.dispose();
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      });
    }
  });
}

/** The gqa model in a Trainer with the reference's recipe: muon on the matrices, AdamW on the rest, constant lr, clipping. */
function muonTrainer(): Trainer {
  const f = fx.models.gqa!;
  const { vocab_size, mlp_hidden: _hidden, multiple_of: _multiple, ...model } = f.model;
  const { steps, ...train } = fx.training.train;
  const config = RunConfig.parse({
    seed: 1,
    data: { tokenizer: 'char' },
    model: { family: 'llama', ...model, dropout: 0 },
    train: { ...train, steps, optimizer: 'muon', min_lr: train.lr, warmup_steps: 0, schedule: 'constant', batch_size: f.batch, micro_batch_size: f.batch },
  });
  // A text with exactly vocab_size distinct characters, so the char tokenizer has the fixture's vocabulary.
  const chars = Array.from({ length: vocab_size }, (_, i) => String.fromCharCode(65 + i));
  const t = new Trainer({ config, backend: tf.getBackend(), text: chars.join('').repeat(20) });
  const file = decodeSafetensors(readFileSync(new URL('llama_gqa_weights.safetensors', dir)), 'fixture weights');
  t.setParams(paramsFromHf(t.model.spec, file.tensors));
  return t;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`muon training PyTorch parity on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });

    it('3 steps of Muon on the hidden matrices and AdamW on embeddings, head and norms match PyTorch', () => {
      const t = muonTrainer();
      const T = fx.models.gqa!.model.block_size;
      fx.training.batches.forEach((b, i) => {
        const r = t.trainStep({ x: Int32Array.from(b.x), y: Int32Array.from(b.y), batch: fx.models.gqa!.batch, T });
        expect(Math.abs(r.loss - fx.training.losses[i]!) / fx.training.losses[i]!).toBeLessThan(1e-4);
        expect(Math.abs(r.gradNorm - fx.training.grad_norms[i]!) / fx.training.grad_norms[i]!).toBeLessThan(1e-4);
      });
      for (const p of hfTensors(t.model.spec, t.snapshot())) {
        expect(maxRelErr(p.data, fx.training.params_after[p.name]!), p.name).toBeLessThan(1e-4);
      }
      t.dispose();
    });
  });
}
