// The shared model registry: layouts drive counts and memory estimates, and unbuilt options are named by field.
import { describe, expect, it } from 'vitest';
import { ModelConfig, RunConfig } from '../config.ts';
import { gptLayout } from './gpt.ts';
import { llamaLayout, swigluHidden } from './llama.ts';
import { activationBytesPerSequence, activeParamsOf, countParams, trainingMemory, unbuiltOptions } from './registry.ts';
import { decays, type ModelSpec } from './layout.ts';

const swiglu64 = swigluHidden(64);

const spec = (o: object = {}, vocab = 256): ModelSpec => ({ ...ModelConfig.parse(o), vocab_size: vocab });

describe('model registry', () => {
  it('counts parameters from the layout: GPT-2 small is 124,439,808', () => {
    const c = countParams(spec({ n_layer: 12, n_head: 12, d_model: 768, block_size: 1024 }, 50257));
    expect(c.total).toBe(124_439_808);
    expect(c.embedding).toBe(50257 * 768 + 1024 * 768);
    expect(c.perLayer).toBe(12 * 768 * 768 + 13 * 768);
  });

  it('counts a mixture of experts: total with every expert, active with top_k of them, the router in both', () => {
    for (const family of ['gpt', 'llama'] as const) {
      const dense = countParams(spec({ family, n_layer: 3, d_model: 64 }));
      // One expert's tensors are the dense MLP's: c_fc and c_proj with biases, or SwiGLU's three matrices.
      const one = family === 'gpt' ? 64 * 256 + 256 + 256 * 64 + 64 : 3 * 64 * swiglu64;
      const moe = countParams(spec({ family, n_layer: 3, d_model: 64, moe: { experts: 4, top_k: 2 } }));
      const router = 64 * 4;
      expect(moe.total).toBe(dense.total + 3 * (3 * one + router));
      expect(moe.active).toBe(dense.total + 3 * (one + router));
      expect(moe.perLayer).toBe(dense.perLayer + 3 * one + router);
      expect(dense.active).toBe(dense.total);
      // A recorded total (any vocabulary) gives the same active count.
      expect(activeParamsOf(ModelConfig.parse({ family, n_layer: 3, d_model: 64, moe: {} }), moe.total)).toBe(moe.active);
    }
  });

  it('keeps a router off Muon and on weight decay, and tags every expert tensor with its expert', () => {
    const params = llamaLayout.params(spec({ family: 'llama', n_layer: 2, moe: { experts: 3, top_k: 1 } }));
    const router = params.find((p) => p.name === 'model.layers.1.mlp.gate.weight')!;
    expect(router).toMatchObject({ role: 'router', shape: [128, 3], hfTransposed: true, layer: 1 });
    expect(decays('router')).toBe(true);
    const experts = params.filter((p) => p.expert !== undefined);
    expect(experts.map((p) => p.name).filter((n) => n.startsWith('model.layers.0.'))).toEqual(
      [0, 1, 2].flatMap((e) => ['gate_proj', 'up_proj', 'down_proj'].map((w) => `model.layers.0.mlp.experts.${e}.${w}.weight`)),
    );
    expect(params.some((p) => p.name.endsWith('mlp.gate_proj.weight'))).toBe(false);
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
    // The mixture-of-experts MLP is built on both transformer families.
    expect(unbuiltOptions(RunConfig.parse({ model: { family: 'llama', moe: {} }, train: { optimizer: 'muon' } }))).toEqual([]);
    expect(unbuiltOptions(RunConfig.parse({ model: { moe: {} } }))).toEqual([]);
  });
});
