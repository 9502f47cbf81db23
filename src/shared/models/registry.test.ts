// The shared model registry: layouts drive counts and memory estimates, and unbuilt options are named by field.
import { describe, expect, it } from 'vitest';
import { ModelConfig, RunConfig } from '../config.ts';
import { gptLayout } from './gpt.ts';
import { llamaBlockParams, llamaLayout, swigluHidden } from './llama.ts';
import { mambaLayout } from './mamba.ts';
import { hybridLayout } from './hybrid.ts';
import { activationBytesPerSequence, activeParamsOf, countParams, trainingMemory, unbuiltOptions } from './registry.ts';
import { decays, sizeOf, type ModelSpec } from './layout.ts';

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

  it('builds every family and option, and names by field an option a family does not have', () => {
    expect(unbuiltOptions(RunConfig.parse({}))).toEqual([]);
    expect(unbuiltOptions(RunConfig.parse({ model: { family: 'mamba', bias: null }, train: { optimizer: 'muon' } }))).toEqual([]);
    expect(unbuiltOptions(RunConfig.parse({ model: { family: 'hybrid', bias: null, n_layer: 3, layers: 'MAM' } }))).toEqual([]);
    // The mixture-of-experts MLP is built on both transformer families and on a hybrid's attention layers.
    expect(unbuiltOptions(RunConfig.parse({ model: { family: 'llama', moe: {} }, train: { optimizer: 'muon' } }))).toEqual([]);
    expect(unbuiltOptions(RunConfig.parse({ model: { moe: {} } }))).toEqual([]);
    expect(unbuiltOptions(RunConfig.parse({ model: { family: 'hybrid', bias: null, moe: {} } }))).toEqual([]);
    // A Mamba block has no MLP to make a mixture of.
    expect(unbuiltOptions(RunConfig.parse({ model: { family: 'mamba', bias: null, moe: {} } })).map((i) => i.path)).toEqual(['model.moe']);
  });

  it('counts Mamba from its layout: state-spaces/mamba-130m is 129,135,360, in MambaForCausalLM names and shapes', () => {
    const s = spec({ family: 'mamba', n_layer: 24, d_model: 768, n_head: 1, block_size: 1024 }, 50280);
    expect(countParams(s).total).toBe(129_135_360);
    const hf = mambaLayout.hfConfig(s);
    expect(hf).toMatchObject({ architectures: ['MambaForCausalLM'], hidden_size: 768, intermediate_size: 1536, state_size: 16, conv_kernel: 4, time_step_rank: 48 });
    const byName = new Map(mambaLayout.params(s).map((p) => [p.name, p]));
    expect(byName.get('backbone.layers.3.mixer.conv1d.weight')!.shape).toEqual([1536, 1, 4]);
    expect(byName.get('backbone.layers.3.mixer.x_proj.weight')).toMatchObject({ shape: [1536, 48 + 32], hfTransposed: true, role: 'matrix' });
    expect(byName.get('backbone.layers.3.mixer.A_log')).toMatchObject({ shape: [1536, 16], init: 'log-arange', role: 'ssm' });
    expect(byName.get('backbone.layers.3.mixer.dt_proj.bias')!.init).toEqual({ dtBias: [1e-3, 1e-1] });
    expect(byName.has('lm_head.weight')).toBe(false);
  });

  it('builds a hybrid from its pattern: Mamba blocks and llama blocks under model.layers.{i}', () => {
    const s = spec({ family: 'hybrid', n_layer: 4, n_head: 4, d_model: 64 });
    const mambaOnly = spec({ family: 'mamba', n_layer: 4, d_model: 64 });
    const blocks = (layout: typeof hybridLayout, sp: ModelSpec, i: number): number =>
      layout.params(sp).filter((p) => p.layer === i).reduce((n, p) => n + sizeOf(p.shape), 0);
    // The default pattern is MMAA: layers 0–1 are Mamba blocks, 2–3 llama blocks.
    expect(blocks(hybridLayout, s, 0)).toBe(blocks(mambaLayout, mambaOnly, 0));
    expect(blocks(hybridLayout, s, 3)).toBe(llamaBlockParams(s, 3).reduce((n, p) => n + sizeOf(p.shape), 0));
    expect(hybridLayout.params(s).some((p) => p.name === 'model.layers.1.mixer.A_log')).toBe(true);
    expect(hybridLayout.params(s).some((p) => p.name === 'model.layers.2.self_attn.q_proj.weight')).toBe(true);
    const amam = spec({ family: 'hybrid', n_layer: 4, n_head: 4, d_model: 64, layers: 'AMAM' });
    expect(countParams(amam).total).toBe(countParams(s).total);
    expect(hybridLayout.params(amam).some((p) => p.name === 'model.layers.0.self_attn.q_proj.weight')).toBe(true);
    expect(hybridLayout.hfConfig(amam)).toMatchObject({ model_type: 'loupe-hybrid', layers: 'AMAM' });
    expect(hybridLayout.hfConfig(amam).architectures).toBeUndefined();
  });

  it('refuses a hybrid pattern that does not fit n_layer, and Mamba options on other families, by field', () => {
    const issue = (o: object): [string, string][] => {
      const r = ModelConfig.safeParse(o);
      return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
    };
    expect(issue({ family: 'hybrid', n_layer: 4, layers: 'MMA' })).toEqual([['layers', '"MMA" has 3 letters but n_layer is 4: one letter per layer']]);
    expect(issue({ family: 'hybrid', n_layer: 3, layers: 'MXA' })).toEqual([['layers', '"MXA" has "X": use M (Mamba) and A (attention), one letter per layer']]);
    expect(issue({ family: 'mamba', layers: 'MMMM' })).toEqual([['layers', 'layers is a hybrid option']]);
    expect(issue({ family: 'gpt', d_state: 8 }).map((i) => i[0])).toEqual(['d_state']);
    expect(issue({ family: 'hybrid', n_layer: 2, layers: 'AM', d_state: 8, rope_theta: 500, n_kv_head: 2 })).toEqual([]);
  });
});
