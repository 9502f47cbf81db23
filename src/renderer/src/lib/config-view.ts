// Reads fields out of a stored (resolved) run config for display, without trusting its shape.
export function configValue(config: Record<string, unknown>, path: string): unknown {
  let cur: unknown = config;
  for (const part of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function configNumber(config: Record<string, unknown>, path: string): number | null {
  const v = configValue(config, path);
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The fields a researcher checks first, as label/value pairs. */
export const configSummaryFields: readonly [label: string, path: string][] = [
  ['model', 'model.family'],
  ['layers', 'model.n_layer'],
  ['heads', 'model.n_head'],
  ['d_model', 'model.d_model'],
  ['kv heads', 'model.n_kv_head'],
  ['mlp hidden', 'model.mlp_hidden'],
  ['rope θ', 'model.rope_theta'],
  ['block', 'model.block_size'],
  ['dropout', 'model.dropout'],
  ['corpus', 'data.corpus'],
  ['tokenizer', 'data.tokenizer'],
  ['steps', 'train.steps'],
  ['batch', 'train.batch_size'],
  ['micro-batch', 'train.micro_batch_size'],
  ['optimizer', 'train.optimizer'],
  ['lr', 'train.lr'],
  ['min lr', 'train.min_lr'],
  ['warmup', 'train.warmup_steps'],
  ['schedule', 'train.schedule'],
  ['weight decay', 'train.weight_decay'],
  ['grad clip', 'train.grad_clip'],
  ['eval every', 'eval.every'],
  ['seed', 'seed'],
];

/** The architecture in a few words: family and shape, e.g. "llama · 4 × 128, 4 heads (2 kv)". */
export function modelSummary(config: Record<string, unknown>): string {
  const family = String(configValue(config, 'model.family') ?? 'gpt');
  const layers = configNumber(config, 'model.n_layer');
  const d = configNumber(config, 'model.d_model');
  const heads = configNumber(config, 'model.n_head');
  const kv = configNumber(config, 'model.n_kv_head');
  const shape = layers != null && d != null ? ` · ${layers} × ${d}` : '';
  const attn = heads != null ? `, ${heads} heads${kv != null && kv !== heads ? ` (${kv} kv)` : ''}` : '';
  return `${family}${shape}${attn}`;
}

/** The optimizer and its learning rates: "AdamW (lr 0.001)" or "Muon (lr 0.02) + AdamW (lr 0.001) for embeddings, head, norms". */
export function optimizerSummary(config: Record<string, unknown>): string {
  const lr = configNumber(config, 'train.lr');
  const adamw = `AdamW (lr ${lr ?? '?'})`;
  if (configValue(config, 'train.optimizer') !== 'muon') return adamw;
  const muonLr = configNumber(config, 'train.muon.lr');
  return `Muon (lr ${muonLr ?? '?'}) + ${adamw} for embeddings, head, norms`;
}
