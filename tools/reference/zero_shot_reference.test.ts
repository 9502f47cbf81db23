// Zero-shot scoring against the PyTorch reference (zero_shot_reference.py): summed continuation log-likelihoods
// with the harness's left truncation, on the committed Hugging Face GPT-2 weights, to 1e-4 on cpu and wasm; and
// the HF export of the loaded model is exactly those weights.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { tf } from '../../src/main/engine/tf.ts';
import { initBackend } from '../../src/main/engine/backend.ts';
import { decodeSafetensors } from '../../src/main/engine/checkpoint/safetensors.ts';
import { hfTensors } from '../../src/main/engine/checkpoint/hf.ts';
import { createModel } from '../../src/main/engine/model/registry.ts';
import { Rng } from '../../src/main/engine/rng.ts';
import { continuationLogLik } from '../../src/main/engine/zero-shot.ts';
import { RunConfig } from '../../src/shared/config.ts';

interface Fixture {
  model: { vocab_size: number; block_size: number; n_layer: number; n_head: number; d_model: number };
  items: { ctx: number[]; choices: number[][]; logliks: number[] }[];
}

const dir = new URL('./fixtures/', import.meta.url);
const fx = JSON.parse(readFileSync(new URL('zero_shot_tiny.json', dir), 'utf8')) as Fixture;
const weights = decodeSafetensors(readFileSync(new URL('gpt_tiny_weights.safetensors', dir)), 'fixture weights');

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`zero-shot log-likelihoods match PyTorch on ${backend}`, () => {
    it('every continuation of every item, short and truncated contexts', async () => {
      await initBackend(backend);
      const m = fx.model;
      const spec = { ...RunConfig.parse({ model: { n_layer: m.n_layer, n_head: m.n_head, d_model: m.d_model, block_size: m.block_size } }).model, vocab_size: m.vocab_size };
      const model = createModel(spec, new Rng(0));
      for (const [name, v] of model.params) tf.tidy(() => v.assign(tf.tensor(weights.tensors.get(name)!.data, v.shape, 'float32')));
      const exported = hfTensors(spec, new Map([...model.params].map(([n, v]) => [n, v.dataSync() as Float32Array])));
      for (const t of exported) expect(Array.from(t.data)).toEqual(Array.from(weights.tensors.get(t.name)!.data));
      const before = tf.memory().numTensors;
      let worst = 0;
      for (const item of fx.items) {
        item.choices.forEach((cont, i) => {
          worst = Math.max(worst, Math.abs(continuationLogLik(model, item.ctx, cont) - item.logliks[i]!));
        });
      }
      expect(worst).toBeLessThan(1e-4);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });
  });
}
