// Run names derived from what changed against the baseline (lr 1e-3→3e-4, warmup 100→200 ⇒ "lr3e-4-warmup200"),
// so a list of ablation runs reads as a list of hypotheses.
import type { ConfigChange, IgnoreOptions } from './diff.ts';
import { experimentalChanges } from './diff.ts';

/** Short, readable names of the fields that ablations change most. */
const FIELD_ALIASES: Readonly<Record<string, string>> = {
  'data.corpus': 'corpus',
  'data.tokenizer': 'tok',
  'data.val_fraction': 'val',
  'data.train_fraction': 'frac',
  'model.family': 'family',
  'model.n_layer': 'L',
  'model.n_head': 'H',
  'model.d_model': 'd',
  'model.block_size': 'T',
  'model.dropout': 'drop',
  'model.bias': 'bias',
  'model.tie_embeddings': 'tied',
  'model.moe.experts': 'experts',
  'model.moe.top_k': 'topk',
  'train.steps': 'steps',
  'train.batch_size': 'bs',
  'train.micro_batch_size': 'mbs',
  'train.optimizer': 'opt',
  'train.lr': 'lr',
  'train.min_lr': 'minlr',
  'train.warmup_steps': 'warmup',
  'train.schedule': 'sched',
  'train.wsd_decay_fraction': 'wsd',
  'train.beta1': 'b1',
  'train.beta2': 'b2',
  'train.eps': 'eps',
  'train.weight_decay': 'wd',
  'train.grad_clip': 'clip',
  'train.label_smoothing': 'ls',
  'train.z_loss': 'zloss',
  'train.dispersion.weight': 'disp',
  'train.dispersion.tau': 'tau',
  'train.early_stopping_patience': 'patience',
  'eval.every': 'evalevery',
  'eval.batches': 'evalbatches',
  'seed': 's',
};

/** Fields whose value alone names the change ("muon", "wsd", "gpt2") better than alias + value. */
const VALUE_NAMES_ITSELF = new Set([
  'train.optimizer',
  'train.schedule',
  'train.dispersion.variant',
  'model.family',
  'data.tokenizer',
  'backend',
]);

/** Compact, filename-safe number: 0.0003 → "3e-4", 0.1 → "0.1", 2000 → "2k", 200 → "200". */
export function formatCompactNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  // toPrecision strips float noise such as 0.30000000000000004 before choosing a notation.
  const clean = Number(n.toPrecision(6));
  if (Number.isInteger(clean)) {
    if (clean !== 0 && clean % 1_000_000 === 0) return `${clean / 1_000_000}M`;
    if (clean !== 0 && clean % 1000 === 0) return `${clean / 1000}k`;
    return String(clean);
  }
  if (Math.abs(clean) < 0.01) return clean.toExponential();
  return String(clean);
}

export function fieldAlias(path: string): string {
  return FIELD_ALIASES[path] ?? path.split('.').pop()!.replace(/_/g, '');
}

function sanitize(text: string): string {
  return text.replace(/[^A-Za-z0-9._+-]/g, '');
}

/** The name part for one change, e.g. {train.lr → 3e-4} → "lr3e-4". */
export function changeLabel(change: ConfigChange): string {
  const alias = fieldAlias(change.path);
  const value = change.to;
  if (value === undefined || value === null) return `no${alias}`;
  if (typeof value === 'boolean') return value ? alias : `no${alias}`;
  // "b2" + "0.95" would read as "b20.95": an alias ending in a digit gets a separator.
  if (typeof value === 'number') return `${alias}${/\d$/.test(alias) ? '_' : ''}${formatCompactNumber(value)}`;
  if (typeof value === 'string') {
    if (VALUE_NAMES_ITSELF.has(change.path)) return sanitize(value);
    // A corpus path is named by its file name without extension.
    const base = value.split(/[\\/]/).pop()!.replace(/\.[^.]*$/, '');
    return change.path === 'data.corpus' ? sanitize(base) : `${alias}${sanitize(base)}`;
  }
  return `${alias}${sanitize(JSON.stringify(value))}`;
}

export interface NameOptions extends IgnoreOptions {
  /** Longest name returned; longer ones are cut at a part boundary (default 64). */
  maxLength?: number;
  /** Name when nothing (but ignored fields) changed (default "baseline"). */
  fallback?: string;
}

/** A run name from a config diff: one label per changed field, joined by "-" (seed and name ignored by default). */
export function suggestRunName(diff: readonly ConfigChange[], options: NameOptions = {}): string {
  const maxLength = options.maxLength ?? 64;
  const parts = experimentalChanges(diff, options)
    .map(changeLabel)
    .filter((p) => p.length > 0);
  if (parts.length === 0) return options.fallback ?? 'baseline';
  let name = parts[0].slice(0, maxLength);
  for (const part of parts.slice(1)) {
    if (name.length + 1 + part.length > maxLength) break;
    name += `-${part}`;
  }
  return name;
}

/** The name of one seed replicate, e.g. "lr3e-4-s1337". */
export function seededRunName(name: string, seed: number): string {
  return `${name}-s${seed}`;
}
