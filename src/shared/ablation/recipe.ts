// Recipe arithmetic the editor shows live: tokens per update, the square-root LR rule when the batch changes,
// and the parameter count of a config (from its family's layout: GPT-2 12/768/50257/1024 gives 124,439,808).
import type { RunConfig } from '../config.ts';
import { countParams, unbuiltOptions, type ParamCount } from '../models/registry.ts';

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

export type { ParamCount } from '../models/registry.ts';

export type ParamEstimate = ({ ok: true } & ParamCount) | { ok: false; reason: string };

/** Parameter count of a config from its family's layout, when the family and its options are built. */
export function estimateParams(config: RunConfig, vocabSize?: number): ParamEstimate {
  const unbuilt = unbuiltOptions({ model: config.model, train: config.train }).filter((i) => i.path.startsWith('model.'));
  if (unbuilt.length > 0) return { ok: false, reason: `${unbuilt[0]!.path}: ${unbuilt[0]!.message}` };
  const vocab = vocabSize ?? vocabSizeOf(config.data.tokenizer);
  if (vocab === undefined) return { ok: false, reason: 'the char vocabulary size is known once the corpus is read' };
  return { ok: true, ...countParams({ ...config.model, vocab_size: vocab }) };
}

/** Compact count for readouts: 842496 → "0.84M", 124439808 → "124.4M". */
export function formatParamCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e7) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e5) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}
