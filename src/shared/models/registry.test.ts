// The shared model registry: layouts drive counts and memory estimates, and unbuilt options are named by field.
import { describe, expect, it } from 'vitest';
import { ModelConfig, RunConfig } from '../config.ts';
import { gptLayout } from './gpt.ts';
import { activationBytesPerSequence, countParams, trainingMemory, unbuiltOptions } from './registry.ts';
import type { ModelSpec } from './layout.ts';

const spec = (o: object = {}, vocab = 256): ModelSpec => ({ ...ModelConfig.parse(o), vocab_size: vocab });

describe('model registry', () => {
  it('counts parameters from the layout: GPT-2 small is 124,439,808', () => {
    const c = countParams(spec({ n_layer: 12, n_head: 12, d_model: 768, block_size: 1024 }, 50257));
    expect(c.total).toBe(124_439_808);
    expect(c.embedding).toBe(50257 * 768 + 1024 * 768);
    expect(c.perLayer).toBe(12 * 768 * 768 + 13 * 768);
  });

  it('gives every GPT parameter a role, with unique names, and exports biases a bias-free model lacks', () => {
    const s = spec({ n_layer: 2, bias: false, tie_embeddings: false });
    const params = gptLayout.params(s);
    expect(new Set(params.map((p) => p.name)).size).toBe(params.length);
    const roles = new Map(params.map((p) => [p.name, p.role]));
    expect(roles.get('lm_head.weight')).toBe('head');
    expect(roles.get('transformer.h.1.mlp.c_fc.weight')).toBe('matrix');
    expect(roles.get('transformer.ln_f.weight')).toBe('norm');
    expect(params.some((p) => p.role === 'bias')).toBe(false);
    const exported = gptLayout.exportParams(s);
    expect(exported.filter((p) => p.role === 'bias').length).toBe(2 * 6 + 1);
  });

  it('estimates training memory: weights, gradients, two AdamW slots and the activations of a micro-batch', () => {
    const s = spec({ n_layer: 4, n_head: 4, d_model: 128, block_size: 128 });
    const n = countParams(s).total;
    const m = trainingMemory(s, 'adamw', 12);
    expect(m).toEqual({ params: 4 * n, grads: 4 * n, optimizer: 8 * n, activations: 12 * activationBytesPerSequence(s), total: 16 * n + 12 * activationBytesPerSequence(s) });
    // 4 layers · (70·T·d + 6·H·T²) + 6·T·V floats, × 4 bytes × 1.5.
    expect(activationBytesPerSequence(s)).toBe(4 * 1.5 * (4 * (70 * 128 * 128 + 6 * 4 * 128 * 128) + 6 * 128 * 256));
  });

  it('names each option that is not built yet by its field path', () => {
    expect(unbuiltOptions(RunConfig.parse({}))).toEqual([]);
    expect(unbuiltOptions(RunConfig.parse({ model: { family: 'mamba' }, train: { optimizer: 'muon' } })).map((i) => i.path)).toEqual(['model.family']);
    expect(unbuiltOptions(RunConfig.parse({ model: { family: 'llama', moe: {} }, train: { optimizer: 'muon' } })).map((i) => i.path)).toEqual(['model.moe']);
    expect(unbuiltOptions(RunConfig.parse({ model: { moe: {} } })).map((i) => i.path)).toEqual(['model.moe']);
  });
});
