// Hugging Face model folders from elsewhere (a PyTorch job's checkpoint, a model saved by transformers) as Loupe
// checkpoints for sampling and init_from: config.json says the family and shape, model.safetensors holds the weights
// (with or without the "transformer." prefix), and the tokenizer comes from loupe_tokenizer.json or the vocab size.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RunConfig } from '../../../shared/config.ts';
import { TokenizerJson } from '../data/tokenizer.ts';
import type { CheckpointState } from './checkpoint.ts';

/** A folder with config.json and model.safetensors but no Loupe state.json. */
export function isForeignHfFolder(dir: string): boolean {
  return !existsSync(join(dir, 'state.json')) && existsSync(join(dir, 'config.json')) && existsSync(join(dir, 'model.safetensors'));
}

const num = (cfg: Record<string, unknown>, key: string, dir: string): number => {
  const v = cfg[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`checkpoint: config.json in ${dir} has no valid "${key}"`);
  return v;
};

function tokenizerFor(dir: string, vocab: number): TokenizerJson {
  const file = join(dir, 'loupe_tokenizer.json');
  if (existsSync(file)) {
    const parsed = TokenizerJson.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`checkpoint: ${file} is not a Loupe tokenizer`);
    return parsed.data;
  }
  if (vocab === 50257) return { kind: 'gpt2' };
  if (vocab === 256) return { kind: 'byte' };
  throw new Error(`checkpoint: ${dir} has a vocabulary of ${vocab} and no loupe_tokenizer.json; Loupe can only guess GPT-2's BPE (50257) or bytes (256)`);
}

/** The checkpoint state Loupe would have written for this folder: the model shape from config.json, step from its name. */
export function hfCheckpointState(dir: string): CheckpointState {
  let cfg: Record<string, unknown>;
  try {
    cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    throw new Error(`checkpoint: config.json in ${dir} is not valid JSON`);
  }
  const type = cfg['model_type'];
  if (type !== 'gpt2') {
    throw new Error(`checkpoint: ${dir} is a "${String(type)}" model; Loupe loads Hugging Face GPT-2 folders (model_type "gpt2") so far`);
  }
  const act = cfg['activation_function'];
  if (act !== undefined && act !== 'gelu_new' && act !== 'gelu_pytorch_tanh') {
    throw new Error(`checkpoint: ${dir} uses activation "${String(act)}"; Loupe's GPT-2 uses the tanh GELU (gelu_new)`);
  }
  if (cfg['n_inner'] !== undefined && cfg['n_inner'] !== null && cfg['n_inner'] !== 4 * num(cfg, 'n_embd', dir)) {
    throw new Error(`checkpoint: ${dir} has n_inner ${String(cfg['n_inner'])}; Loupe's GPT-2 MLP is 4 × n_embd`);
  }
  const vocab = num(cfg, 'vocab_size', dir);
  const tokenizer = tokenizerFor(dir, vocab);
  const model = {
    family: 'gpt' as const,
    n_layer: num(cfg, 'n_layer', dir),
    n_head: num(cfg, 'n_head', dir),
    d_model: num(cfg, 'n_embd', dir),
    block_size: num(cfg, 'n_positions', dir),
    tie_embeddings: cfg['tie_word_embeddings'] !== false,
    ...(typeof cfg['layer_norm_epsilon'] === 'number' ? { norm_eps: cfg['layer_norm_epsilon'] } : {}),
  };
  const parsed = RunConfig.safeParse({ name: basename(dir), data: { tokenizer: tokenizer.kind }, model });
  if (!parsed.success) throw new Error(`checkpoint: ${dir}: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  const step = /(\d+)$/.exec(basename(dir));
  return {
    format: 'loupe-checkpoint',
    version: 2,
    step: step ? Number(step[1]) : 0,
    config: parsed.data,
    vocabSize: vocab,
    tokenizer,
    dropoutRng: [0, 0, 0, 0],
    dataCursor: [0, 0, 0, 0],
    tokensSeen: 0,
    valLoss: null,
    backend: 'external',
  };
}

/** transformers saves the bare model without the "transformer." prefix, and the attention masks as buffers. */
export function normalizeHfNames<T>(tensors: ReadonlyMap<string, T>): Map<string, T> {
  const out = new Map<string, T>();
  for (const [name, t] of tensors) {
    if (/\.attn\.(masked_)?bias$/.test(name)) continue;
    out.set(name.startsWith('transformer.') || name.startsWith('lm_head.') ? name : `transformer.${name}`, t);
  }
  return out;
}
