// A llama checkpoint is a Hugging Face LlamaForCausalLM folder: config.json with the fields transformers reads, and
// weights under its names with nn.Linear's [out, in] shapes; it loads back to the same logits, and the parameter
// count of the layout, the model and the file agree.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../tf.ts';
import { Trainer } from '../train.ts';
import { tinyConfig, tinyText } from '../testing/tiny.ts';
import { paramCount } from '../model/types.ts';
import { countParams } from '../../../shared/models/registry.ts';
import { decodeSafetensors } from './safetensors.ts';
import { transpose2d } from './hf.ts';
import type { RunConfigInput } from '../../../shared/config.ts';

const text = tinyText();
let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'loupe-hf-llama-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const make = (model: RunConfigInput['model'], resumeFrom: string | null = null): Trainer =>
  new Trainer({ config: tinyConfig({ data: { tokenizer: 'char' }, model }), backend: 'cpu', text, resumeFrom });

describe('llama checkpoints in the Hugging Face layout', () => {
  for (const tied of [true, false]) {
    it(`writes LlamaForCausalLM names, [out, in] shapes and config (tied head: ${tied}), and loads back`, () => {
      const model = { family: 'llama', n_layer: 2, n_head: 4, n_kv_head: 2, d_model: 16, block_size: 8, tie_embeddings: tied, rope_theta: 500, norm_eps: 1e-6 } as const;
      const t = make(model);
      t.trainStep();
      const saved = t.saveCheckpoint(join(dir, `tied-${tied}`));
      const V = t.tokenizer.vocabSize;
      const config = JSON.parse(readFileSync(join(saved.path, 'config.json'), 'utf8')) as Record<string, unknown>;
      expect(config).toMatchObject({
        architectures: ['LlamaForCausalLM'],
        model_type: 'llama',
        hidden_size: 16,
        intermediate_size: 64,
        num_hidden_layers: 2,
        num_attention_heads: 4,
        num_key_value_heads: 2,
        vocab_size: V,
        max_position_embeddings: 8,
        rms_norm_eps: 1e-6,
        rope_theta: 500,
        hidden_act: 'silu',
        attention_bias: false,
        tie_word_embeddings: tied,
      });
      const file = decodeSafetensors(readFileSync(join(saved.path, 'model.safetensors'))).tensors;
      const shape = (name: string): number[] | undefined => file.get(name)?.shape;
      expect(shape('model.embed_tokens.weight')).toEqual([V, 16]);
      expect(shape('model.layers.1.self_attn.q_proj.weight')).toEqual([16, 16]);
      expect(shape('model.layers.1.self_attn.k_proj.weight')).toEqual([8, 16]);
      expect(shape('model.layers.1.mlp.gate_proj.weight')).toEqual([64, 16]);
      expect(shape('model.layers.1.mlp.down_proj.weight')).toEqual([16, 64]);
      expect(shape('model.layers.1.input_layernorm.weight')).toEqual([16]);
      expect(shape('model.norm.weight')).toEqual([16]);
      expect(shape('lm_head.weight')).toEqual(tied ? undefined : [V, 16]);
      expect([...file.keys()].some((n) => n.endsWith('.bias'))).toBe(false);
      // Transposed, not reshaped: the file holds Wᵀ of what the model multiplies by.
      const k = t.model.params.get('model.layers.0.self_attn.k_proj.weight')!;
      expect(Array.from(file.get('model.layers.0.self_attn.k_proj.weight')!.data)).toEqual(Array.from(transpose2d(k.dataSync() as Float32Array, 16, 8)));
      // One count everywhere: the layout (editor, loupe show), the model, the exported file.
      let fileCount = 0;
      for (const x of file.values()) fileCount += x.data.length;
      expect(countParams(t.model.spec).total).toBe(paramCount(t.model));
      expect(fileCount).toBe(paramCount(t.model));

      const x = tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8]], [1, 8], 'int32');
      const logits = (m: Trainer): number[] => tf.tidy(() => Array.from(m.model.forward(x, { training: false }).logits.dataSync()));
      const loaded = make(model, saved.path);
      expect(logits(loaded)).toEqual(logits(t));
      x.dispose();
      t.dispose();
      loaded.dispose();
    });
  }
});
