// Leaf-level differences between two configs, and the "change one thing at a time" count and warning
// that the new-run editor and the compare view show.
import { followsRunLength } from '../run-length.ts';

/** One changed leaf field; `from`/`to` is undefined where the field is absent on that side (e.g. model.moe). */
export interface ConfigChange {
  /** Dotted path, e.g. "train.lr". */
  path: string;
  /** Absent where the field is absent on that side (e.g. a MoE config against a dense one); JSON drops it too. */
  from?: unknown;
  to?: unknown;
}

/**
 * Fields that do not make a run a different experiment: a seed is a replicate, a name is a label, and alert
 * thresholds and checkpoint cadence change what is watched and kept, not what is trained.
 */
const DEFAULT_IGNORED_FIELDS: readonly string[] = ['seed', 'name', 'alerts', 'checkpoint'];

export interface IgnoreOptions {
  /** Dotted paths (or object prefixes such as "alerts") to leave out of the count. */
  ignore?: readonly string[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Leaf path → value, objects walked depth-first in key order; arrays are leaves. */
export function flattenConfig(config: unknown, prefix = ''): Map<string, unknown> {
  const leaves = new Map<string, unknown>();
  const walk = (value: unknown, path: string): void => {
    if (isPlainObject(value) && (Object.keys(value).length > 0 || path === '')) {
      for (const [key, child] of Object.entries(value)) walk(child, path ? `${path}.${key}` : key);
    } else if (value !== undefined) leaves.set(path, value);
  };
  walk(config, prefix);
  return leaves;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b) || isPlainObject(a) || isPlainObject(b)) return JSON.stringify(a) === JSON.stringify(b);
  return Object.is(a, b) || (a === 0 && b === 0);
}

/** Every leaf that differs, in the base's field order (fields only the candidate has come last). */
export function diffConfigs(base: unknown, candidate: unknown): ConfigChange[] {
  const from = flattenConfig(base);
  const to = flattenConfig(candidate);
  const paths = [...from.keys(), ...[...to.keys()].filter((p) => !from.has(p))];
  return paths
    .filter((path) => !sameValue(from.get(path), to.get(path)))
    .map((path) => ({ path, from: from.get(path), to: to.get(path) }));
}

/** Whether a dotted path is one of `ignore` or lies under one of them (e.g. "alerts.spike_sigma" under "alerts"). */
export function isIgnoredField(path: string, ignore: readonly string[] = DEFAULT_IGNORED_FIELDS): boolean {
  return ignore.some((prefix) => path === prefix || path.startsWith(`${prefix}.`));
}

/**
 * Changes that only follow a train.steps change (warmup, eval and checkpoint cadence rescaled with it): a new run length
 * is one change, not four.
 */
export function runLengthFollowers(diff: readonly ConfigChange[]): Set<string> {
  const steps = diff.find((c) => c.path === 'train.steps');
  if (!steps || typeof steps.from !== 'number' || typeof steps.to !== 'number') return new Set();
  const { from, to } = steps;
  return new Set(diff.filter((c) => followsRunLength(c.path, c.from, c.to, from, to)).map((c) => c.path));
}

/** The changes that make the candidate a different experiment (by default: all but seed and name; a run length is one). */
export function experimentalChanges(diff: readonly ConfigChange[], options: IgnoreOptions = {}): ConfigChange[] {
  const ignore = options.ignore ?? DEFAULT_IGNORED_FIELDS;
  const followers = runLengthFollowers(diff);
  return diff.filter((change) => !isIgnoredField(change.path, ignore) && !followers.has(change.path));
}

/** How many fields changed, seed and name aside unless told otherwise. */
export function countChanged(diff: readonly ConfigChange[], options: IgnoreOptions = {}): number {
  return experimentalChanges(diff, options).length;
}

/** A warning for the editor when more than one variable changed; null when the run is a clean one-variable ablation. */
export function oneVariableWarning(diff: readonly ConfigChange[], options: IgnoreOptions = {}): string | null {
  const changes = experimentalChanges(diff, options);
  if (changes.length <= 1) return null;
  const listed = changes.map((c) => c.path).join(', ');
  return (
    `${changes.length} fields changed (${listed}). Change one thing at a time: compound changes produce compound ignorance. ` +
    'With several changes, a difference in loss cannot be attributed to any one of them, and their effects may add, cancel ' +
    'or interact. Make one run per change (or a sweep over one field), each against the same baseline.'
  );
}
