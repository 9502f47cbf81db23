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
