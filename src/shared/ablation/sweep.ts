// One-variable sweeps: `--vary train.lr=1e-3,6e-4,3e-4` parsed and type-checked against the config schema, then
// expanded over seeds into resolved, named configs (`loupe sweep`, the sweep launcher).
import { z } from 'zod';
import { RunConfig, resolveConfig } from '../config.ts';
import { closestKey } from '../config-schema.ts';
import { diffConfigs } from './diff.ts';
import type { ConfigChange } from './diff.ts';
import { changeLabel, fieldAlias, formatCompactNumber, seededRunName, suggestRunName } from './naming.ts';
import { withRunLength } from '../run-length.ts';

export type VaryValue = string | number | boolean;

export interface Vary {
  /** Dotted leaf field path, e.g. "train.lr". */
  path: string;
  values: VaryValue[];
}

export type VaryResult = { ok: true; vary: Vary } | { ok: false; error: string };

/** A sweep larger than this is almost certainly a typo (and would flood the queue). */
export const MAX_SWEEP_RUNS = 1000;

/** The schema under defaults, optionality and (for a group resolved by a transform) the transform's input side. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else return s;
  }
}

type FieldLookup = { ok: true; schema: z.ZodType } | { ok: false; error: string };

/** The zod schema of a leaf field, or an error naming the first unknown segment (with a "did you mean"). */
export function fieldSchema(path: string): FieldLookup {
  let schema: z.ZodType = RunConfig;
  const done: string[] = [];
  for (const segment of path.split('.')) {
    const object = unwrap(schema);
    const shape: Record<string, z.ZodType> = object instanceof z.ZodObject ? (object.shape as Record<string, z.ZodType>) : {};
    if (!Object.hasOwn(shape, segment)) {
      const where = done.length ? done.join('.') : 'the config';
      const hint = closestKey(segment, Object.keys(shape));
      const fix = hint ? ` (did you mean "${[...done, hint].join('.')}"?)` : '';
      return { ok: false, error: `unknown field "${[...done, segment].join('.')}": ${where} has no "${segment}"${fix}` };
    }
    schema = shape[segment];
    done.push(segment);
  }
  const leaf = unwrap(schema);
  if (leaf instanceof z.ZodObject) {
    const fields = Object.keys(leaf.shape).map((k) => `${path}.${k}`);
    return { ok: false, error: `"${path}" is a group of fields; vary one of: ${fields.join(', ')}` };
  }
  return { ok: true, schema };
}

/** Reads a command-line value the way the field's schema wants it: "1e-3" → 0.001, "true" → true, "auto" stays text. */
function coerce(raw: string, schema: z.ZodType): { ok: true; value: VaryValue } | { ok: false; message: string } {
  const numeric = raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : undefined;
  const candidates: VaryValue[] = [raw];
  if (numeric !== undefined) candidates.unshift(numeric);
  if (raw === 'true' || raw === 'false') candidates.unshift(raw === 'true');
  for (const candidate of candidates) {
    if (schema.safeParse(candidate).success) return { ok: true, value: candidate };
  }
  const issue = schema.safeParse(candidates[0]);
  return { ok: false, message: issue.success ? 'invalid value' : issue.error.issues[0].message };
}

/** Parses "path=v1,v2,..." into a field and typed values, each checked against that field's schema. */
export function parseVary(spec: string): VaryResult {
  const eq = spec.indexOf('=');
  if (eq <= 0) return { ok: false, error: `--vary "${spec}": expected FIELD=V1,V2,... (e.g. train.lr=1e-3,6e-4,3e-4)` };
  const path = spec.slice(0, eq).trim();
  const rawValues = spec
    .slice(eq + 1)
    .split(',')
    .map((v) => v.trim());
  if (rawValues.some((v) => v === '')) return { ok: false, error: `--vary ${path}: empty value in "${spec.slice(eq + 1)}"` };
  const field = fieldSchema(path);
  if (!field.ok) return { ok: false, error: `--vary ${field.error}` };
  const values: VaryValue[] = [];
  for (const raw of rawValues) {
    const read = coerce(raw, field.schema);
    if (!read.ok) return { ok: false, error: `--vary ${path}: "${raw}" is not valid: ${read.message}` };
    if (values.some((v) => v === read.value)) return { ok: false, error: `--vary ${path}: "${raw}" is listed twice` };
    values.push(read.value);
  }
  return { ok: true, vary: { path, values } };
}

export interface SweepRun {
  /** Suggested name from the change against the base config, plus the seed ("lr3e-4-s1337"). */
  name: string;
  value: VaryValue;
  seed: number;
  /** Fully resolved config (its name and seed set). */
  config: RunConfig;
  /** What differs from the base config, seed and name included. */
  changes: ConfigChange[];
}

export type SweepResult = { ok: true; runs: SweepRun[] } | { ok: false; error: string };

/** The group name of a sweep, e.g. "sweep-lr". */
export function sweepGroupName(vary: Vary): string {
  return `sweep-${fieldAlias(vary.path)}`;
}

function withValue(config: object, path: string, value: unknown): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  const keys = path.split('.');
  let node = copy;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    node[key] = typeof next === 'object' && next !== null ? next : {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
  return copy;
}

function formatValue(value: VaryValue): string {
  return typeof value === 'number' ? formatCompactNumber(value) : String(value);
}

/** One arm of a sweep that changes several fields together (an architecture of a study): a name and its values. */
export interface Variant {
  /** Names the arm's runs ("mamba" → "mamba-s1337") and its row. */
  label: string;
  /** Dotted field path → value, each set on the base config. */
  set: Readonly<Record<string, unknown>>;
}

interface Arm {
  label: string;
  value: VaryValue;
  config: Record<string, unknown>;
  /** How an invalid arm is named in the error. */
  describe: string;
}

function checkSeeds(baseConfig: RunConfig, arms: number, seeds: number | readonly number[]): { ok: true; seeds: number[] } | { ok: false; error: string } {
  const seedList = typeof seeds === 'number' ? Array.from({ length: seeds }, (_, i) => baseConfig.seed + i) : [...seeds];
  if (seedList.length === 0) return { ok: false, error: 'a sweep needs at least one seed' };
  if (new Set(seedList).size !== seedList.length) return { ok: false, error: 'the seed list repeats a seed' };
  const total = arms * seedList.length;
  if (total > MAX_SWEEP_RUNS) return { ok: false, error: `the sweep would queue ${total} runs (the limit is ${MAX_SWEEP_RUNS})` };
  return { ok: true, seeds: seedList };
}

/** Every (arm × seed) run, arms outer and seeds inner, each config resolved (or the first invalid one named). */
function expandArms(baseConfig: RunConfig, arms: readonly Arm[], seedList: readonly number[], explicitSeeds: boolean): SweepResult {
  const runs: SweepRun[] = [];
  for (const arm of arms) {
    for (const seed of seedList) {
      const name = seededRunName(arm.label, seed);
      const resolved = resolveConfig({ ...arm.config, seed, name });
      if (!resolved.ok) {
        const why = resolved.issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
        return { ok: false, error: `${arm.describe}${explicitSeeds ? ` seed ${seed}` : ''}: ${why}` };
      }
      runs.push({ name, value: arm.value, seed, config: resolved.config, changes: diffConfigs(baseConfig, resolved.config) });
    }
  }
  return { ok: true, runs };
}

/**
 * Every (value × seed) config of a sweep, values outer and seeds inner. `seeds` is a count (base seed, base seed + 1, ...)
 * or an explicit list. Fails, naming the value, when a value breaks a cross-field rule (e.g. lr below min_lr).
 */
export function expandSweep(baseConfig: RunConfig, vary: Vary, seeds: number | readonly number[] = 3): SweepResult {
  if (vary.values.length === 0) return { ok: false, error: `--vary ${vary.path}: no values` };
  const checked = checkSeeds(baseConfig, vary.values.length, seeds);
  if (!checked.ok) return checked;
  const arms = vary.values.map((value): Arm => {
    // A new run length rescales warmup and cadence with it (one change), as everywhere else.
    const varied = vary.path === 'train.steps' && typeof value === 'number' && Number.isInteger(value) && value > 0
      ? (withRunLength(baseConfig, value) as unknown as Record<string, unknown>)
      : withValue(baseConfig, vary.path, value);
    // Named for the value, also the one equal to the base ("lr6e-4-s1", not "baseline-s1"): the launcher's preview and
    // the queued runs share this name. Seed replicates keep the base config's name.
    const label = vary.path === 'seed' ? baseConfig.name : changeLabel({ path: vary.path, from: undefined, to: value }) || suggestRunName(diffConfigs(baseConfig, varied));
    return { label, value, config: varied, describe: `${vary.path}=${formatValue(value)}` };
  });
  return expandArms(baseConfig, arms, checked.seeds, typeof seeds !== 'number');
}

/** Every (variant × seed) config: a sweep whose arms each change several fields together. Labels must be distinct. */
export function expandVariants(baseConfig: RunConfig, variants: readonly Variant[], seeds: number | readonly number[] = 3): SweepResult {
  if (variants.length === 0) return { ok: false, error: 'a sweep over variants needs at least one' };
  const labels = variants.map((v) => v.label);
  const twice = labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice !== undefined) return { ok: false, error: `variant "${twice}" is listed twice` };
  const checked = checkSeeds(baseConfig, variants.length, seeds);
  if (!checked.ok) return checked;
  const arms = variants.map((v): Arm => {
    let config: Record<string, unknown> = JSON.parse(JSON.stringify(baseConfig)) as Record<string, unknown>;
    for (const [path, value] of Object.entries(v.set)) config = withValue(config, path, value);
    return { label: v.label, value: v.label, config, describe: `variant ${v.label}` };
  });
  return expandArms(baseConfig, arms, checked.seeds, typeof seeds !== 'number');
}
