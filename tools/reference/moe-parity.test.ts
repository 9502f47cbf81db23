// Parity with PyTorch for the mixture-of-experts MLP on gpt and llama: the fixtures written by moe_reference.py
// (OLMoE-style sparse dispatch, fixed weights whose routing has no near-ties) must be reproduced on cpu and wasm by
// both of Loupe's forms of the expert mix (cpu runs the gate-masked reference, wasm gathers each expert's tokens):
// logits, cross-entropy, both auxiliary losses, the objective, every gradient, the per-block expert load; and
// KV-cached decoding of a MoE model equals its full forward pass.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { tf } from '../../src/main/engine/tf.ts';
import { initBackend } from '../../src/main/engine/backend.ts';
import { hfTensors } from '../../src/main/engine/checkpoint/hf.ts';
import { type KvCache, type LanguageModel, type ModelSpec } from '../../src/main/engine/model/registry.ts';
import { trainingObjective } from '../../src/main/engine/objective.ts';
import { moeMixOp } from '../../src/main/engine/model/moe.ts';
import { fixturesDir, maxRelErr, modelFromHfFixture } from './parity-fixtures.ts';
import { ModelConfig, TrainConfig } from '../../src/shared/config.ts';
import { MOE_BALANCE_WEIGHT, MOE_Z_WEIGHT } from '../../src/shared/models/moe.ts';

interface MoeFixture {
  model: { family: 'gpt' | 'llama'; vocab_size: number; experts: number; top_k: number; block_size: number } & Record<string, unknown>;
  batch: number;
  x: number[];
  y: number[];
  logits: number[];
  ce: number;
  balance: number;
  z: number;
  total: number;
  load: number[][];
  grads: Record<string, number[]>;
}

const fx = JSON.parse(readFileSync(new URL('moe_tiny.json', fixturesDir), 'utf8')) as { weights: { balance: number; z: number }; models: Record<string, MoeFixture> };

function moeSpec(m: MoeFixture['model']): ModelSpec {
  const { vocab_size, experts, top_k, ...rest } = m;
  return { ...ModelConfig.parse({ ...rest, moe: { experts, top_k }, dropout: 0 }), vocab_size };
}

const fixtureModel = (key: string): LanguageModel => modelFromHfFixture(moeSpec(fx.models[key]!.model), `moe_${key}_weights.safetensors`);

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('MoE fixtures', () => {
  it('use the loss weights Loupe uses', () => {
    expect(fx.weights).toEqual({ balance: MOE_BALANCE_WEIGHT, z: MOE_Z_WEIGHT });
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`MoE PyTorch parity on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
      expect(tf.getBackend()).toBe(backend);
      expect(moeMixOp.chosen).toBe(backend === 'wasm' ? 'wasm' : 'reference');
    });

    for (const key of Object.keys(fx.models)) {
      const f = fx.models[key]!;
      const B = f.batch;
      const T = f.model.block_size;
      const V = f.model.vocab_size;

      it(`${key}: same logits, losses, expert load and every gradient of the objective`, () => {
        const model = fixtureModel(key);
        const before = tf.memory().numTensors;
        const vars = [...model.params.values()];
        const train = TrainConfig.parse({});
        let read: { ce: number; balance: number; z: number; load: number[][]; logits: Float32Array } | null = null;
        const { value, grads } = tf.variableGrads(() => {
          const out = model.forward(tf.tensor2d(f.x, [B, T], 'int32'), { training: true });
          const o = trainingObjective(out, tf.reshape(out.logits, [B * T, V]) as tf.Tensor2D, tf.tensor1d(f.y, 'int32'), train);
          read = {
            ce: o.parts.get('ce')!.dataSync()[0]!,
            balance: o.parts.get('moe_balance')!.dataSync()[0]!,
            z: o.parts.get('moe_z')!.dataSync()[0]!,
            load: out.expertLoad!.arraySync(),
            logits: out.logits.dataSync() as Float32Array,
          };
          expect(o.regularisers).toEqual(new Map([['moe_balance', MOE_BALANCE_WEIGHT], ['moe_z', MOE_Z_WEIGHT]]));
          return o.total;
        }, vars);
        const r = read!;
        expect(maxRelErr(r.logits, f.logits)).toBeLessThan(1e-4);
        expect(rel(r.ce, f.ce)).toBeLessThan(1e-4);
        expect(rel(r.balance, f.balance)).toBeLessThan(1e-4);
        expect(rel(r.z, f.z)).toBeLessThan(1e-4);
        expect(rel(value.dataSync()[0]!, f.total)).toBeLessThan(1e-4);
        // The same experts were picked for every token: loads are counts over the batch, so they agree exactly.
        r.load.forEach((row, i) => expect(maxRelErr(row, f.load[i]!)).toBeLessThan(1e-6));
        const ours = new Map([...model.params].map(([name, v]) => [name, grads[v.name]!.dataSync() as Float32Array]));
        for (const t of hfTensors(model.spec, ours)) {
          if (!f.grads[t.name]) continue; // zero-filled export-only tensors
          expect(maxRelErr(t.data, f.grads[t.name]!), t.name).toBeLessThan(1e-4);
        }
        expect(Object.keys(f.grads).sort()).toEqual([...model.params.keys()].sort());
        value.dispose();
        for (const g of Object.values(grads)) g.dispose();
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      });

      it(`${key}: KV-cache decoding of a MoE model equals the full forward pass`, () => {
        const model = fixtureModel(key);
        const seq = f.x.slice(0, T);
        const full = tf.tidy(() => model.forward(tf.tensor2d(seq, [1, T], 'int32'), { training: false }).logits.dataSync());
        const before = tf.memory().numTensors;
        let cache: KvCache | null = null;
        const at = (pos: number): number[] => Array.from(full.slice(pos * V, (pos + 1) * V));
        for (let pos = 0; pos < T; pos++) {
          const idx = tf.tensor2d([seq[pos]!], [1, 1], 'int32');
          const r = model.decode(idx, cache);
          idx.dispose();
          cache = r.cache;
          expect(maxRelErr(r.logits.dataSync(), at(pos)), `position ${pos}`).toBeLessThan(1e-5);
          r.logits.dispose();
        }
        cache!.dispose();
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      });
    }
  });
}
