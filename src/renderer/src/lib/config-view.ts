// The fields of a run's config a researcher checks first, read from the typed config the API returns.
import { defaultHybridPattern } from '../../../shared/models/hybrid-pattern.ts';
import type { RunConfig } from '../../../shared/config.ts';

/** Label, the field's path (shown as a tooltip) and its value. */
export type ConfigSummaryField = readonly [label: string, path: string, value: (c: RunConfig) => unknown];

export const configSummaryFields: readonly ConfigSummaryField[] = [
  ['model', 'model.family', (c) => c.model.family],
  ['layers', 'model.n_layer', (c) => c.model.n_layer],
  ['heads', 'model.n_head', (c) => c.model.n_head],
  ['d_model', 'model.d_model', (c) => c.model.d_model],
  ['kv heads', 'model.n_kv_head', (c) => c.model.n_kv_head ?? undefined],
  ['mlp hidden', 'model.mlp_hidden', (c) => c.model.mlp_hidden ?? undefined],
  ['rope θ', 'model.rope_theta', (c) => c.model.rope_theta ?? undefined],
  ['block', 'model.block_size', (c) => c.model.block_size],
  ['dropout', 'model.dropout', (c) => c.model.dropout],
  ['corpus', 'data.corpus', (c) => c.data.corpus],
  ['tokenizer', 'data.tokenizer', (c) => c.data.tokenizer],
  ['steps', 'train.steps', (c) => c.train.steps],
  ['batch', 'train.batch_size', (c) => c.train.batch_size],
  ['micro-batch', 'train.micro_batch_size', (c) => c.train.micro_batch_size],
  ['workers', 'train.workers', (c) => c.train.workers ?? undefined],
  ['optimizer', 'train.optimizer', (c) => c.train.optimizer],
  ['lr', 'train.lr', (c) => c.train.lr],
  ['muon lr', 'train.muon.lr', (c) => (c.train.optimizer === 'muon' ? c.train.muon.lr : undefined)],
  ['min lr', 'train.min_lr', (c) => c.train.min_lr],
  ['warmup', 'train.warmup_steps', (c) => c.train.warmup_steps],
  ['schedule', 'train.schedule', (c) => c.train.schedule],
  ['weight decay', 'train.weight_decay', (c) => c.train.weight_decay],
  ['grad clip', 'train.grad_clip', (c) => c.train.grad_clip],
  ['eval every', 'eval.every', (c) => c.eval.every],
  ['seed', 'seed', (c) => c.seed],
];

/** The architecture in a few words: family and shape, e.g. "llama · 4 × 128, 4 heads (2 kv)", "mamba · 4 × 128, state 16", "hybrid MMAA · 4 × 128, 4 heads, state 16". */
export function modelSummary(c: RunConfig): string {
  const m = c.model;
  const kv = m.n_kv_head != null && m.n_kv_head !== m.n_head ? ` (${m.n_kv_head} kv)` : '';
  const moe = m.moe ? `, ${m.moe.experts} experts (top-${m.moe.top_k})` : '';
  const heads = `${m.n_head} heads${kv}`;
  const state = `state ${m.d_state ?? 16}`;
  if (m.family === 'mamba') return `mamba · ${m.n_layer} × ${m.d_model}, ${state}`;
  if (m.family === 'hybrid') return `hybrid ${m.layers ?? defaultHybridPattern(m.n_layer)} · ${m.n_layer} × ${m.d_model}, ${heads}, ${state}${moe}`;
  return `${m.family} · ${m.n_layer} × ${m.d_model}, ${heads}${moe}`;
}

/** The optimizer and its learning rates: "AdamW (lr 0.001)" or "Muon (lr 0.02) + AdamW (lr 0.001) for embeddings, head, norms". */
export function optimizerSummary(c: RunConfig): string {
  const adamw = `AdamW (lr ${c.train.lr})`;
  if (c.train.optimizer !== 'muon') return adamw;
  return `Muon (lr ${c.train.muon.lr}) + ${adamw} for embeddings, head, norms${c.model.moe ? ', routers' : ''}`;
}
