// Checkpoints: Hugging Face GPT-2 layout, atomic writes, and a save → load round trip that gives the same logits.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, rmSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../tf.ts';
import { Trainer } from '../train.ts';
import { tinyConfig, tinyText } from '../testing/tiny.ts';
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts';
import { exportHfModel, loadCheckpoint } from './checkpoint.ts';
import { writeFolderAtomic } from './atomic.ts';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'loupe-ckpt-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('safetensors', () => {
  it('round-trips tensors and metadata with an 8-byte aligned data section', () => {
    const a = Float32Array.from([1.5, -2, 3.25, 1e-30]);
    const buf = encodeSafetensors([{ name: 'a', shape: [2, 2], data: a }, { name: 'b.c', shape: [1], data: Float32Array.of(7) }], { format: 'pt' });
    const headerLen = Number(buf.readBigUInt64LE(0));
    expect((8 + headerLen) % 8).toBe(0);
    const header = JSON.parse(buf.subarray(8, 8 + headerLen).toString()) as Record<string, { data_offsets: number[] }>;
    expect(header['b.c'].data_offsets).toEqual([16, 20]);
    const back = decodeSafetensors(buf);
    expect(Array.from(back.tensors.get('a')!.data)).toEqual(Array.from(a));
    expect(back.tensors.get('a')!.shape).toEqual([2, 2]);
    expect(back.metadata).toEqual({ format: 'pt' });
  });

  it('rejects corrupt files with a one-line message', () => {
    expect(() => decodeSafetensors(Buffer.from([1, 2, 3]), 'x.safetensors')).toThrow(/^x\.safetensors: too short/);
    const bad = Buffer.alloc(16);
    bad.writeBigUInt64LE(1000n, 0);
    expect(() => decodeSafetensors(bad, 'x.safetensors')).toThrow(/bad safetensors header length/);
  });
});

describe('checkpoints', () => {
  it('writes a Hugging Face GPT-2 folder plus optimizer and state, and loads it back', () => {
    const t = new Trainer({ config: tinyConfig(), backend: 'cpu', text: tinyText() });
    t.trainStep();
    t.trainStep();
    const saved = t.saveCheckpoint(join(dir, 'run'));
    expect(saved.path.endsWith('step-00000002')).toBe(true);
    expect(readdirSync(saved.path).sort()).toEqual(['config.json', 'model.safetensors', 'optimizer.safetensors', 'state.json']);
    expect(readdirSync(join(dir, 'run'))).toEqual(['step-00000002']); // no temp folders left
    const hf = JSON.parse(readFileSync(join(saved.path, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(hf).toMatchObject({ model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], vocab_size: 256, n_positions: 8, n_embd: 16, n_layer: 2, n_head: 2, activation_function: 'gelu_new', tie_word_embeddings: true });
    const weights = decodeSafetensors(readFileSync(join(saved.path, 'model.safetensors')));
    expect(weights.tensors.get('transformer.h.1.attn.c_attn.weight')!.shape).toEqual([16, 48]);
    expect(weights.tensors.has('lm_head.weight')).toBe(false);
    const ck = loadCheckpoint(saved.path);
    expect(ck.state.step).toBe(2);
    expect(ck.state.version).toBe(2);
    expect(ck.optimizer.step).toBe(2);
    const optNames = [...decodeSafetensors(readFileSync(join(saved.path, 'optimizer.safetensors'))).tensors.keys()];
    expect(optNames).toContain('adamw.exp_avg_sq.transformer.h.0.mlp.c_fc.weight');
    expect(optNames.every((n) => /^adamw\.exp_avg(_sq)?\.transformer\./.test(n))).toBe(true);
    expect(Array.from(ck.params.get('transformer.wte.weight')!)).toEqual(Array.from(t.snapshot().get('transformer.wte.weight')!));
    expect(ck.optimizer.slots.get('exp_avg')!.get('transformer.h.0.mlp.c_fc.weight')!.some((v) => v !== 0)).toBe(true);

    const out = join(dir, 'hf');
    const files = exportHfModel(saved.path, out);
    expect(readdirSync(out).sort()).toEqual(['config.json', 'loupe_tokenizer.json', 'model.safetensors']);
    expect(files.files.length).toBe(3);
    expect(readFileSync(join(out, 'model.safetensors')).equals(readFileSync(join(saved.path, 'model.safetensors')))).toBe(true);
    t.dispose();
  });

  it('fills zero biases for a bias-free model so the HF layout stays complete, and drops them on load', () => {
    const t = new Trainer({ config: tinyConfig({ model: { bias: false } }), backend: 'cpu', text: tinyText() });
    const saved = t.saveCheckpoint(join(dir, 'nobias'));
    const weights = decodeSafetensors(readFileSync(join(saved.path, 'model.safetensors')));
    expect(Array.from(weights.tensors.get('transformer.h.0.mlp.c_fc.bias')!.data).every((v) => v === 0)).toBe(true);
    expect([...loadCheckpoint(saved.path).params.keys()].some((k) => k.endsWith('.bias'))).toBe(false);
    t.dispose();
  });

  it('names a missing or broken checkpoint in one line', () => {
    expect(() => loadCheckpoint(join(dir, 'nothing'))).toThrow(/^checkpoint: state\.json not found at /);
    mkdirSync(join(dir, 'broken'));
    writeFileSync(join(dir, 'broken', 'state.json'), '{"format":"other"}');
    expect(() => loadCheckpoint(join(dir, 'broken'))).toThrow(/^checkpoint: state\.json is invalid/);
  });

  it('replaces an existing folder atomically', () => {
    const target = join(dir, 'atomic', 'step-1');
    writeFolderAtomic(target, { 'a.txt': 'one' });
    writeFolderAtomic(target, { 'b.txt': 'two' });
    expect(readdirSync(target)).toEqual(['b.txt']);
    expect(readdirSync(join(dir, 'atomic'))).toEqual(['step-1']);
  });
});
