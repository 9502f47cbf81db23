// Sampling: greedy/temperature/top-k/top-p/penalty/stop/seed, and KV-cache decoding equal to full recomputation.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from './tf.ts';
import { initBackend } from './backend.ts';
import { Rng } from './rng.ts';
import { Trainer } from './train.ts';
import { defaultSampleSettings, generate, loadForSampling, pickToken } from './sample.ts';
import { tinyConfig, tinyText } from './testing/tiny.ts';

let dir: string;
let trainer: Trainer;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'loupe-sample-'));
  trainer = new Trainer({ config: tinyConfig({ model: { block_size: 16 } }), backend: 'cpu', text: tinyText() });
  for (let i = 0; i < 30; i++) trainer.trainStep();
});
afterAll(() => {
  trainer.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('sampling', () => {
  it('KV-cache greedy decoding gives the same tokens as full recomputation (also past the block)', async () => {
    const greedy = { temperature: 0, maxTokens: 24 };
    const before = tf.memory().numTensors;
    const a = await generate(trainer.model, trainer.tokenizer, 'the whale', { ...greedy, useCache: true });
    const b = await generate(trainer.model, trainer.tokenizer, 'the whale', { ...greedy, useCache: false });
    expect(a.tokens).toEqual(b.tokens);
    expect(a.tokens.length).toBe(24);
    expect(a.finish).toBe('length');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is reproducible per seed, streams tokens, and reports entropies', async () => {
    const pieces: string[] = [];
    const s = { temperature: 1, topK: 20, topP: 0.9, maxTokens: 12, seed: 5 };
    const a = await generate(trainer.model, trainer.tokenizer, 'ship', s, { onToken: (_id, p) => void pieces.push(p) });
    const b = await generate(trainer.model, trainer.tokenizer, 'ship', s);
    expect(a.tokens).toEqual(b.tokens);
    expect(pieces.join('')).toBe(a.text);
    expect(a.entropies.length).toBe(12);
    for (const h of a.entropies) expect(h).toBeGreaterThan(0);
    for (const h of a.entropies) expect(h).toBeLessThanOrEqual(Math.log(256) + 1e-6);
  });

  it('stops at a stop sequence and can be cancelled', async () => {
    const free = await generate(trainer.model, trainer.tokenizer, 'the', { temperature: 0, maxTokens: 20 });
    const stopAt = free.text.slice(3, 5);
    const stopped = await generate(trainer.model, trainer.tokenizer, 'the', { temperature: 0, maxTokens: 20, stop: [stopAt] });
    expect(stopped.finish).toBe('stop');
    expect(stopped.text).toBe(free.text.slice(0, free.text.indexOf(stopAt)));
    let n = 0;
    const cancelled = await generate(trainer.model, trainer.tokenizer, 'the', { maxTokens: 50 }, { onToken: () => void n++, cancelled: () => n >= 3 });
    expect(cancelled.finish).toBe('cancelled');
    expect(cancelled.tokens.length).toBe(3);
  });

  it('loads a checkpoint and samples the same as the live model', async () => {
    const saved = trainer.saveCheckpoint(dir);
    const { model, tokenizer, step } = loadForSampling(saved.path);
    expect(step).toBe(30);
    const a = await generate(model, tokenizer, 'call me', { temperature: 0, maxTokens: 10 });
    const b = await generate(trainer.model, trainer.tokenizer, 'call me', { temperature: 0, maxTokens: 10 });
    expect(a.tokens).toEqual(b.tokens);
    model.dispose();
  });
});

describe('sampling on wasm', () => {
  it('KV-cache greedy equals full recomputation there too', async () => {
    await initBackend('wasm');
    try {
      const greedy = { temperature: 0, maxTokens: 20 };
      const a = await generate(trainer.model, trainer.tokenizer, 'captain', { ...greedy, useCache: true });
      const b = await generate(trainer.model, trainer.tokenizer, 'captain', { ...greedy, useCache: false });
      expect(a.tokens).toEqual(b.tokens);
    } finally {
      // initBackend also picks the backend's fast kernels: going back to cpu must unpick wasm's.
      await initBackend('cpu');
    }
  });
});

describe('sampling a llama model', () => {
  it('KV-cache greedy equals full recomputation (also past the block), and a checkpoint samples the same', async () => {
    const llama = new Trainer({
      config: tinyConfig({ model: { family: 'llama', n_head: 4, n_kv_head: 2, block_size: 16 }, train: { optimizer: 'muon' } }),
      backend: 'cpu',
      text: tinyText(),
    });
    for (let i = 0; i < 10; i++) llama.trainStep();
    const greedy = { temperature: 0, maxTokens: 24 };
    const before = tf.memory().numTensors;
    const a = await generate(llama.model, llama.tokenizer, 'the whale', { ...greedy, useCache: true });
    const b = await generate(llama.model, llama.tokenizer, 'the whale', { ...greedy, useCache: false });
    expect(a.tokens).toEqual(b.tokens);
    expect(a.tokens.length).toBe(24);
    expect(tf.memory().numTensors).toBe(before);
    const saved = llama.saveCheckpoint(join(dir, 'llama'));
    const { model, tokenizer } = loadForSampling(saved.path);
    expect(model.family).toBe('llama');
    const c = await generate(model, tokenizer, 'the whale', greedy);
    expect(c.tokens).toEqual(a.tokens);
    model.dispose();
    llama.dispose();
  });
});

describe('pickToken', () => {
  const logits = Float32Array.from([1, 3, 2, 0.5]);
  const s = { ...defaultSampleSettings };
  it('greedy takes the argmax; repetition penalty can move it', () => {
    expect(pickToken(logits, [], { ...s, temperature: 0 }, new Rng(1))).toBe(1);
    expect(pickToken(logits, [1], { ...s, temperature: 0, repetitionPenalty: 2 }, new Rng(1))).toBe(2);
  });
  it('top-k 1 and a tiny top-p reduce to greedy; sampling follows the distribution', () => {
    for (let i = 0; i < 20; i++) {
      expect(pickToken(logits, [], { ...s, temperature: 1, topK: 1 }, new Rng(i))).toBe(1);
      expect(pickToken(logits, [], { ...s, temperature: 1, topP: 0.01 }, new Rng(i))).toBe(1);
    }
    const rng = new Rng(3);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[pickToken(logits, [], { ...s, temperature: 1 }, rng)]++;
    const z = [1, 3, 2, 0.5].map(Math.exp);
    const total = z.reduce((a, b) => a + b);
    counts.forEach((c, i) => expect(c / 4000).toBeCloseTo(z[i] / total, 1));
  });
});
