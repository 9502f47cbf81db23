// Hugging Face GPT-2 folders from elsewhere load as checkpoints: names with or without "transformer.", the attention
// mask buffers ignored, the tokenizer from loupe_tokenizer.json or the vocabulary size; anything else is one clear error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { layoutOf } from '../../../shared/models/registry.ts';
import { RunConfig } from '../../../shared/config.ts';
import { sizeOf, type ModelSpec } from '../../../shared/models/layout.ts';
import { encodeSafetensors } from './safetensors.ts';
import { loadCheckpoint } from './checkpoint.ts';

let dir: string;
beforeEach(() => void (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-hf-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const spec: ModelSpec = { ...RunConfig.parse({ model: { n_layer: 2, n_head: 2, d_model: 16, block_size: 8 } }).model, vocab_size: 256 };

/** A folder as transformers' GPT2Model.save_pretrained writes it: no "transformer." prefix, mask buffers included. */
function writeFolder(name: string, config: Record<string, unknown>, prefix = ''): Map<string, Float32Array> {
  const folder = path.join(dir, name);
  fs.mkdirSync(folder, { recursive: true });
  const params = new Map<string, Float32Array>();
  const tensors = layoutOf('gpt')
    .params(spec)
    .map((p, i) => {
      const data = Float32Array.from({ length: sizeOf(p.shape) }, (_, j) => Math.sin(i * 1000 + j));
      params.set(p.name, data);
      return { name: prefix + p.name.replace(/^transformer\./, ''), shape: [...p.shape], data };
    });
  tensors.push({ name: 'h.0.attn.bias', shape: [1, 1, 8, 8], data: new Float32Array(64).fill(1) });
  fs.writeFileSync(path.join(folder, 'model.safetensors'), encodeSafetensors(tensors, { format: 'pt' }));
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(config));
  return params;
}

const gpt2Config = { model_type: 'gpt2', vocab_size: 256, n_positions: 8, n_embd: 16, n_layer: 2, n_head: 2, activation_function: 'gelu_new' };

describe('Hugging Face folders as checkpoints', () => {
  it('loads a GPT-2 folder saved without the transformer. prefix, as bytes, with its step from the folder name', () => {
    const params = writeFolder('step-00000200', gpt2Config);
    const ck = loadCheckpoint(path.join(dir, 'step-00000200'));
    expect(ck.state.step).toBe(200);
    expect(ck.state.tokenizer).toEqual({ kind: 'byte' });
    expect(ck.spec).toMatchObject({ n_layer: 2, n_head: 2, d_model: 16, block_size: 8, vocab_size: 256, tie_embeddings: true });
    expect([...ck.params.keys()].sort()).toEqual([...params.keys()].sort());
    expect(ck.params.get('transformer.h.1.mlp.c_fc.weight')).toEqual(params.get('transformer.h.1.mlp.c_fc.weight'));
    expect(ck.optimizer.slots.size).toBe(0);
  });

  it('reads loupe_tokenizer.json when present, and names what it cannot load', () => {
    writeFolder('chars', { ...gpt2Config, vocab_size: 256 }, 'transformer.');
    fs.writeFileSync(path.join(dir, 'chars', 'loupe_tokenizer.json'), JSON.stringify({ kind: 'byte' }));
    expect(loadCheckpoint(path.join(dir, 'chars')).state.tokenizer).toEqual({ kind: 'byte' });
    writeFolder('llama', { ...gpt2Config, model_type: 'llama' });
    expect(() => loadCheckpoint(path.join(dir, 'llama'))).toThrow(/"llama" model; Loupe loads Hugging Face GPT-2 folders/);
    writeFolder('odd-vocab', { ...gpt2Config, vocab_size: 300 });
    expect(() => loadCheckpoint(path.join(dir, 'odd-vocab'))).toThrow(/vocabulary of 300 and no loupe_tokenizer.json/);
    writeFolder('relu', { ...gpt2Config, activation_function: 'relu' });
    expect(() => loadCheckpoint(path.join(dir, 'relu'))).toThrow(/activation "relu"/);
  });
});
