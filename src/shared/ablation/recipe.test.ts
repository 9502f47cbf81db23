// Tokens per update, the √-rule LR and GPT-2 parameter counting.
import { describe, expect, it } from 'vitest';
import { ModelConfig, RunConfig } from '../config.ts';
import { countParams, layoutOf, type ParamCount } from '../models/registry.ts';
import { estimateParams, formatParamCount, sqrtRuleLr, suggestLr, tokensPerUpdate, updateShape } from './recipe.ts';

type GptShape = Pick<ModelConfig, 'n_layer' | 'd_model' | 'block_size' | 'bias' | 'tie_embeddings'> & { vocab_size: number };
const gptParamCount = (s: GptShape): ParamCount => countParams({ ...ModelConfig.parse({}), ...s });

describe('tokensPerUpdate', () => {
  it('is batch × block with micro_batch_size "auto"', () => {
    const config = RunConfig.parse({ train: { batch_size: 16 }, model: { block_size: 128 } });
    expect(tokensPerUpdate(config)).toBe(2048);
    expect(updateShape(config)).toEqual({ microBatch: 16, accumulation: 1, blockSize: 128, sequences: 16, tokens: 2048 });
  });

  it('is micro-batch × accumulation × block when split, and uses what the engine reported when given', () => {
    const config = RunConfig.parse({ train: { batch_size: 16, micro_batch_size: 4 }, model: { block_size: 64 } });
    expect(updateShape(config)).toMatchObject({ microBatch: 4, accumulation: 4, tokens: 4 * 4 * 64 });
    expect(tokensPerUpdate(config, 2, 8)).toBe(2 * 8 * 64);
    expect(tokensPerUpdate(config, 8)).toBe(8 * 2 * 64);
    // A micro-batch that does not divide the batch rounds accumulation up (the update holds whole micro-batches).
    const uneven = RunConfig.parse({ train: { batch_size: 12, micro_batch_size: 5 } });
    expect(updateShape(uneven)).toMatchObject({ microBatch: 5, accumulation: 3, sequences: 15 });
  });
});

describe('square-root LR rule', () => {
  it('scales the LR by √(new/old)', () => {
    expect(sqrtRuleLr(1e-3, 16, 64)).toBeCloseTo(2e-3, 15);
    expect(sqrtRuleLr(6e-4, 2048, 512)).toBeCloseTo(3e-4, 15);
    expect(sqrtRuleLr(3e-4, 12, 12)).toBe(3e-4);
    expect(() => sqrtRuleLr(1e-3, 0, 4)).toThrow(RangeError);
  });

  it('suggests an LR when tokens per update change (batch or block), and nothing otherwise', () => {
    const base = RunConfig.parse({ train: { batch_size: 16, lr: 1e-3 }, model: { block_size: 64 } });
    const biggerBatch = RunConfig.parse({ train: { batch_size: 64, lr: 1e-3 }, model: { block_size: 64 } });
    expect(suggestLr(base, biggerBatch)).toEqual({ baseTokens: 1024, newTokens: 4096, ratio: 4, lr: 2e-3 });
    const longerBlock = RunConfig.parse({ train: { batch_size: 16, lr: 1e-3 }, model: { block_size: 256 } });
    expect(suggestLr(base, longerBlock)?.lr).toBeCloseTo(2e-3, 15);
    expect(suggestLr(base, RunConfig.parse({ train: { batch_size: 16, lr: 3e-4 }, model: { block_size: 64 } }))).toBeNull();
  });
});

describe('parameter count (gpt)', () => {
  it('matches GPT-2 small (124M): 124,439,808 with tied embeddings', () => {
    const count = gptParamCount({ n_layer: 12, d_model: 768, block_size: 1024, vocab_size: 50257, bias: true, tie_embeddings: true });
    expect(count.total).toBe(124_439_808);
    // nanoGPT prints 123.65M: it leaves out the position embedding only (wte is also the tied head).
    // Here nonEmbedding leaves out both wte and wpe, as scaling-law counts do.
    expect(count.total - 1024 * 768).toBe(123_653_376);
    expect(count.nonEmbedding).toBe(124_439_808 - 50257 * 768 - 1024 * 768);
    expect(formatParamCount(count.total)).toBe('124.4M');
  });

  it('counts a custom MLP width (model.mlp_hidden) in the same layout the engine builds', () => {
    const count = (mlp_hidden?: number): number => {
      const e = estimateParams(RunConfig.parse({ model: { n_layer: 2, n_head: 2, d_model: 64, block_size: 32, mlp_hidden } }), 256);
      if (!e.ok) throw new Error(e.reason);
      return e.total;
    };
    // Per layer the MLP is d·h + h + h·d + d: widening h by 448 adds 2 · 64 · 448 + 448 per layer.
    expect(count(512) - count(64)).toBe(2 * (2 * 64 * 448 + 448));
    expect(count(256)).toBe(count());
    const spec = { ...RunConfig.parse({ model: { n_layer: 1, n_head: 2, d_model: 64, mlp_hidden: 96 } }).model, vocab_size: 256 };
    const shapes = new Map(layoutOf('gpt').params(spec).map((p) => [p.name, p.shape]));
    expect(shapes.get('transformer.h.0.mlp.c_fc.weight')).toEqual([64, 96]);
    expect(shapes.get('transformer.h.0.mlp.c_proj.weight')).toEqual([96, 64]);
    expect(layoutOf('gpt').hfConfig(spec)['n_inner']).toBe(96);
  });

  it('matches the 0.84M baseline of this machine (4 layers, d 128, block 128, byte vocab)', () => {
    const config = RunConfig.parse({ model: { n_layer: 4, n_head: 4, d_model: 128, block_size: 128 } });
    const estimate = estimateParams(config);
    expect(estimate.ok).toBe(true);
    if (!estimate.ok) return;
    // wte 256·128 + wpe 128·128 + 4 · (12·128² + 13·128) + ln_f 2·128
    expect(estimate.total).toBe(32_768 + 16_384 + 4 * (12 * 128 * 128 + 13 * 128) + 256);
    expect(estimate.total).toBe(842_496);
    expect(formatParamCount(estimate.total)).toBe('0.84M');
  });

  it('counts an untied head and drops biases when configured', () => {
    const shape = { n_layer: 2, d_model: 64, block_size: 32, vocab_size: 100, bias: true, tie_embeddings: true };
    const tied = gptParamCount(shape).total;
    expect(gptParamCount({ ...shape, tie_embeddings: false }).total - tied).toBe(100 * 64);
    // Per layer: 2 LayerNorm biases (2d) + c_attn (3d) + c_proj (d) + c_fc (4d) + c_proj (d) = 11d; plus ln_f bias d.
    expect(tied - gptParamCount({ ...shape, bias: false }).total).toBe(2 * 11 * 64 + 64);
  });

  it('counts llama from its layout: the baseline shape has 836,736 parameters, GQA and an explicit MLP width shrink it', () => {
    const llama = (model: object): number => {
      const r = estimateParams(RunConfig.parse({ model: { family: 'llama', ...model } }));
      return r.ok ? r.total : NaN;
    };
    // Per layer: q, k, v, o (4·d²) + gate, up, down (3·d·352) + 2 norms; embedding 256·d (tied) + final norm.
    const d = 128;
    expect(llama({})).toBe(4 * (4 * d * d + 3 * d * 352 + 2 * d) + 256 * d + d);
    expect(llama({})).toBe(836_736);
    expect(llama({ n_kv_head: 2 })).toBe(llama({}) - 4 * 2 * d * (d / 2));
    expect(llama({ mlp_hidden: 256 })).toBe(llama({}) - 4 * 3 * d * (352 - 256));
    expect(llama({ tie_embeddings: false })).toBe(llama({}) + 256 * d);
  });

  it('takes model.mlp_hidden for gpt too (default 4·d)', () => {
    const gpt = (model: object): number => {
      const r = estimateParams(RunConfig.parse({ model }));
      return r.ok ? r.total : NaN;
    };
    const d = 128;
    expect(gpt({ mlp_hidden: 4 * d })).toBe(gpt({}));
    // Two matrices and the c_fc bias per layer shrink with the width.
    expect(gpt({ mlp_hidden: 256 })).toBe(gpt({}) - 4 * (2 * d * 256 + 256));
  });

  it('declines options a family does not have, and vocabularies it cannot count yet', () => {
    expect(estimateParams(RunConfig.parse({ model: { family: 'mamba', bias: null, moe: {} } }))).toEqual({ ok: false, reason: 'model.moe: a mixture-of-experts MLP is for the gpt and llama families (a Mamba block has no MLP)' });
    expect(estimateParams(RunConfig.parse({ data: { tokenizer: 'char' } })).ok).toBe(false);
    expect(estimateParams(RunConfig.parse({ data: { tokenizer: 'char' } }), 65).ok).toBe(true);
    expect(estimateParams(RunConfig.parse({ data: { tokenizer: 'gpt2' } }))).toMatchObject({ ok: true });
  });
});
