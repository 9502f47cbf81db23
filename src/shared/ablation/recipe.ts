// Recipe arithmetic the editor shows live: tokens per update, the square-root LR rule when the batch changes,
// and the parameter count of a config (GPT-2 counting, so 12/768/50257/1024 gives 124,439,808).
import type { RunConfig } from '../config.ts';
import { mlpHidden } from '../config.ts';

export interface UpdateShape {
  microBatch: number;
  accumulation: number;
  blockSize: number;
  /** Sequences per optimizer update = micro-batch × accumulation. */
  sequences: number;
  /** Tokens per optimizer update = micro-batch × accumulation × block. */
  tokens: number;
}

/**
 * The shape of one optimizer update. Explicit micro-batch/accumulation (what the engine reported) win; otherwise a
 * numeric micro_batch_size gives accumulation = ⌈batch / micro⌉, and "auto" counts as the whole batch in one pass
 * (the engine's choice does not change the tokens per update, only how they are split).
 */
export function updateShape(config: RunConfig, microBatch?: number, accumulation?: number): UpdateShape {
  const batch = config.train.batch_size;
  const configured = config.train.micro_batch_size === 'auto' ? batch : Math.min(config.train.micro_batch_size, batch);
  const micro = microBatch ?? configured;
  const steps = accumulation ?? Math.ceil(batch / micro);
  const blockSize = config.model.block_size;
  return { microBatch: micro, accumulation: steps, blockSize, sequences: micro * steps, tokens: micro * steps * blockSize };
}

/** Tokens per optimizer update: micro-batch × accumulation × block. */
export function tokensPerUpdate(config: RunConfig, microBatch?: number, accumulation?: number): number {
  return updateShape(config, microBatch, accumulation).tokens;
}

/**
 * Square-root scaling: when the batch (tokens per update) grows by k, the gradient noise shrinks by √k, so the
 * peak LR scales by √k (Adam-family optimizers; Malladi et al. 2022). Sizes may be sequences or tokens, in the same unit.
 */
export function sqrtRuleLr(baseLr: number, baseSize: number, newSize: number): number {
  if (!(baseLr > 0) || !(baseSize > 0) || !(newSize > 0)) {
    throw new RangeError('sqrtRuleLr needs a positive learning rate and positive batch sizes');
  }
  return baseLr * Math.sqrt(newSize / baseSize);
}

export interface LrSuggestion {
  baseTokens: number;
  newTokens: number;
  /** newTokens / baseTokens. */
  ratio: number;
  /** The baseline's lr scaled by √ratio. */
  lr: number;
}

/** The √-rule LR for a candidate whose tokens per update differ from the baseline's; null when they are equal. */
export function suggestLr(base: RunConfig, candidate: RunConfig): LrSuggestion | null {
  const baseTokens = tokensPerUpdate(base);
  const newTokens = tokensPerUpdate(candidate);
  if (baseTokens === newTokens) return null;
  return { baseTokens, newTokens, ratio: newTokens / baseTokens, lr: sqrtRuleLr(base.train.lr, baseTokens, newTokens) };
}

/** Vocabulary size of a tokenizer; "char" depends on the corpus, so it is undefined until the data is read. */
export function vocabSizeOf(tokenizer: RunConfig['data']['tokenizer']): number | undefined {
  if (tokenizer === 'byte') return 256;
  if (tokenizer === 'gpt2') return 50257;
  return undefined;
}

export interface GptShape {
  n_layer: number;
  d_model: number;
  block_size: number;
  vocab_size: number;
  bias: boolean;
  tie_embeddings: boolean;
  /** MLP hidden width; unset: 4·d_model. */
  mlp_hidden?: number;
}

export interface ParamCount {
  total: number;
  /** Token embedding (wte) + position embedding (wpe). */
  embedding: number;
  /** Everything else (the count scaling laws use): blocks, final norm, an untied head. */
  nonEmbedding: number;
  perLayer: number;
}

/** GPT-2 parameter count, tensor by tensor as in GPT2LMHeadModel (and the engine's gpt model). */
export function gptParamCount(shape: GptShape): ParamCount {
  const d = shape.d_model;
  const b = shape.bias ? 1 : 0;
  const layerNorm = d + b * d;
  const linear = (fanIn: number, fanOut: number): number => fanIn * fanOut + b * fanOut;
  // ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj
  const hidden = mlpHidden(shape);
  const perLayer = layerNorm + linear(d, 3 * d) + linear(d, d) + layerNorm + linear(d, hidden) + linear(hidden, d);
  const embedding = shape.vocab_size * d + shape.block_size * d;
  const head = shape.tie_embeddings ? 0 : shape.vocab_size * d;
  const nonEmbedding = shape.n_layer * perLayer + layerNorm + head;
  return { total: embedding + nonEmbedding, embedding, nonEmbedding, perLayer };
}

export type ParamEstimate = ({ ok: true } & ParamCount) | { ok: false; reason: string };

/** Parameter count of a config, for the families whose layout is implemented (gpt without MoE). */
export function estimateParams(config: RunConfig, vocabSize?: number): ParamEstimate {
  const m = config.model;
  if (m.family !== 'gpt') return { ok: false, reason: `parameter count for the ${m.family} family is not implemented yet` };
  if (m.moe) return { ok: false, reason: 'parameter count with a mixture-of-experts MLP is not implemented yet' };
  const vocab = vocabSize ?? vocabSizeOf(config.data.tokenizer);
  if (vocab === undefined) return { ok: false, reason: 'the char vocabulary size is known once the corpus is read' };
  return {
    ok: true,
    ...gptParamCount({ n_layer: m.n_layer, d_model: m.d_model, block_size: m.block_size, vocab_size: vocab, bias: m.bias, tie_embeddings: m.tie_embeddings, mlp_hidden: m.mlp_hidden }),
  };
}

/** Compact count for readouts: 842496 → "0.84M", 124439808 → "124.4M". */
export function formatParamCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e7) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e5) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}
