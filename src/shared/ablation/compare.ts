// The compare table of the Compare view and `loupe compare`: seed replicates grouped, Δ vs the baseline on any
// recorded metric (final, best or at a step), mean ± std, Welch p-value and a verdict per row, plus CSV and text.
import { diffConfigs, experimentalChanges, flattenConfig, isIgnoredField } from './diff.ts';
import type { ConfigChange } from './diff.ts';
import { changeLabel, suggestRunName } from './naming.ts';
import { classifyGroup, mean, noiseBand, sampleStd, SIGNIFICANCE_LEVEL } from './stats.ts';
import type { NoiseBand, Verdict } from './stats.ts';

export { expandSweep, MAX_SWEEP_RUNS, parseVary, sweepGroupName } from './sweep.ts';
export type { SweepResult, SweepRun, Vary, VaryResult, VaryValue } from './sweep.ts';

export interface CompareRun {
  id: string;
  name: string;
  /** Sweep or user group; null for a standalone run. */
  group: string | null;
  seed: number;
  /** The compared metric at the run's last recorded step; null when it never recorded it (crashed early). */
  final: number | null;
  /** Its best recorded value (lowest, or highest for metrics where higher is better). */
  best: number | null;
  /** Its value at the compared step (the last one recorded at or before it); null unless `at` is a step. */
  atStep?: number | null;
  /** The run's resolved config. */
  config: unknown;
}

/** The baseline: one run (its replicate set is the baseline row), or a group whose runs share one config. */
export type BaselineRef = { runId: string } | { group: string };

/** The two whole-run statistics of a metric. */
export type CompareMetric = 'final' | 'best';

/** Which value of each run's series is compared: its last, its best, or the one at a step. */
export type CompareAt = CompareMetric | number;

/** The metric compared when none is named. */
export const DEFAULT_COMPARE_KEY = 'val/loss';

/**
 * Metrics where a larger value is the better one (accuracies, diversity, throughput); every other metric (losses,
 * perplexity, repetition, condensation, memorisation) ranks lowest first.
 */
export function higherIsBetter(key: string): boolean {
  return /(^|\/)(acc|acc_norm|accuracy|distinct_\d+|keyword_score|tokens_per_s)$/.test(key) || /^eval\/[^/]+\/acc/.test(key);
}

/**
 * Reads a `--metric` / `metric` value with an optional `--at` / `at`. "final" and "best" keep their old meaning
 * (that statistic of val/loss); any other value is a metric key, taken at `at` (default final).
 */
export function resolveCompareMetric(metric: string | undefined, at: CompareAt | undefined): { ok: true; key: string; at: CompareAt } | { ok: false; error: string } {
  if (metric === 'final' || metric === 'best') {
    if (at !== undefined && at !== metric) return { ok: false, error: `metric "${metric}" already says which val/loss value; name a metric key to use at=${at}` };
    return { ok: true, key: DEFAULT_COMPARE_KEY, at: metric };
  }
  const key = metric ?? DEFAULT_COMPARE_KEY;
  if (typeof at === 'number' && !(Number.isInteger(at) && at >= 0)) return { ok: false, error: `at: a step must be a whole number ≥ 0, got ${at}` };
  return { ok: true, key, at: at ?? 'final' };
}

/** "final", "best" or "step 200": how the table names the compared value. */
export function describeAt(at: CompareAt): string {
  return typeof at === 'number' ? `step ${at}` : at;
}

export interface CompareOptions {
  /** The metric key compared (default val/loss). */
  key?: string;
  /** Which value ranks the rows and drives the t-test (default "final"). */
  at?: CompareAt;
  /** Significance level (default 0.05). */
  alpha?: number;
}

export interface MetricSummary {
  /** Finite values over the row's runs, in run order. */
  values: number[];
  mean: number | null;
  /** Sample standard deviation over seeds; null below two values. */
  std: number | null;
  /** mean − baseline mean, in the metric's units (nats for losses); null without values. */
  delta: number | null;
}

export interface CompareRow {
  /** Identity of the row: its label, made unique in the table. */
  key: string;
  label: string;
  group: string | null;
  isBaseline: boolean;
  runIds: string[];
  seeds: number[];
  final: MetricSummary;
  best: MetricSummary;
  /** The value at the compared step; null unless the table compares at a step. */
  atStep: MetricSummary | null;
  verdict: Verdict | 'baseline';
  p: number | null;
  inNoiseBand: boolean | null;
  explanation: string;
  /** Config changes against the baseline row's first run, seed and name aside. */
  changes: ConfigChange[];
}

export interface CompareTable {
  /** The compared metric key, e.g. "val/loss" or "diag/condensation/layer_2". */
  metric: string;
  at: CompareAt;
  /** Whether rows rank highest first (accuracies) rather than lowest first (losses). */
  higherIsBetter: boolean;
  alpha: number;
  baselineKey: string;
  /** The baseline's spread over seeds on the chosen metric (mean ± 2σ); null with fewer than two seeds. */
  noiseBand: NoiseBand | null;
  /** Sorted by the compared value's mean, best first; rows without values last. */
  rows: CompareRow[];
  warnings: string[];
}

export type CompareResult = { ok: true; table: CompareTable } | { ok: false; error: string };

/** Runs are replicates when they share a group and a config apart from the fields that are not experimental. */
function replicateKey(run: CompareRun): string {
  const leaves = [...flattenConfig(run.config)].filter(([path]) => !isIgnoredField(path));
  leaves.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([run.group, leaves]);
}

/**
 * One run's final, best and at-step values of a metric from its series (steps ascending). Final is the value at the
 * last recorded step; at a step, the last value recorded at or before it (eval steps need not line up with it).
 * A non-finite value stays as it is, so the table counts it as missing rather than as a number.
 */
export function seriesValues(
  steps: readonly number[],
  values: readonly number[],
  key: string,
  at: CompareAt,
): { final: number | null; best: number | null; atStep: number | null } {
  if (steps.length === 0) return { final: null, best: null, atStep: null };
  const higher = higherIsBetter(key);
  let best: number | null = null;
  for (const v of values) if (Number.isFinite(v) && (best === null || (higher ? v > best : v < best))) best = v;
  let atStep: number | null = null;
  if (typeof at === 'number') for (let i = 0; i < steps.length && steps[i]! <= at; i++) atStep = values[i]!;
  return { final: values[values.length - 1]!, best, atStep };
}

/** The summary that ranks a row and drives its test, for the table's `at`. */
export function comparedSummary(row: CompareRow, at: CompareAt): MetricSummary {
  if (typeof at === 'number') return row.atStep ?? { values: [], mean: null, std: null, delta: null };
  return row[at];
}

function finite(values: (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null && Number.isFinite(v));
}

function summarize(values: number[], baselineMean: number | null): MetricSummary {
  const m = values.length ? mean(values) : null;
  return {
    values,
    mean: m,
    std: values.length >= 2 ? sampleStd(values) : null,
    delta: m !== null && baselineMean !== null ? m - baselineMean : null,
  };
}

/**
 * The name of each variant of a group, from the fields that differ between the group's variants ("lr3e-4"), so it
 * stays the same whichever row is the baseline. Takes one representative run per variant; "" for standalone runs.
 */
function variantLabels(representatives: readonly CompareRun[]): Map<string, string> {
  const byGroup = new Map<string, CompareRun[]>();
  for (const r of representatives) if (r.group !== null) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r]);
  const out = new Map<string, string>();
  for (const members of byGroup.values()) {
    const varied = new Set<string>();
    for (const other of members.slice(1)) for (const c of experimentalChanges(diffConfigs(members[0].config, other.config))) varied.add(c.path);
    for (const r of members) {
      const leaves = flattenConfig(r.config);
      out.set(r.id, [...varied].map((path) => changeLabel({ path, from: undefined, to: leaves.get(path) })).join('-'));
    }
  }
  return out;
}

/** Builds the compare table; never throws: an unknown or ambiguous baseline comes back as an error line. */
export function compareRuns(runs: readonly CompareRun[], baseline: BaselineRef, options: CompareOptions = {}): CompareResult {
  const metric = options.key ?? DEFAULT_COMPARE_KEY;
  const at = options.at ?? 'final';
  const higher = higherIsBetter(metric);
  const alpha = options.alpha ?? SIGNIFICANCE_LEVEL;
  if (runs.length === 0) return { ok: false, error: 'no runs to compare' };

  const sets = new Map<string, CompareRun[]>();
  for (const run of runs) {
    const key = replicateKey(run);
    sets.set(key, [...(sets.get(key) ?? []), run]);
  }

  let baselineKey: string;
  if ('runId' in baseline) {
    const run = runs.find((r) => r.id === baseline.runId);
    if (!run) return { ok: false, error: `baseline run ${baseline.runId} is not among the compared runs` };
    baselineKey = replicateKey(run);
  } else {
    const keys = [...sets.keys()].filter((k) => sets.get(k)![0].group === baseline.group);
    if (keys.length === 0) return { ok: false, error: `baseline group "${baseline.group}" has no compared runs` };
    if (keys.length > 1) {
      return { ok: false, error: `baseline group "${baseline.group}" holds ${keys.length} different configs; pick one baseline run instead` };
    }
    baselineKey = keys[0];
  }

  const pick = (run: CompareRun): number | null => (typeof at === 'number' ? (run.atStep ?? null) : run[at]);
  const baseRuns = sets.get(baselineKey)!;
  const baseValues = finite(baseRuns.map(pick));
  const baseMean = (values: number[]): number | null => (values.length ? mean(values) : null);
  const baseFinal = baseMean(finite(baseRuns.map((r) => r.final)));
  const baseBest = baseMean(finite(baseRuns.map((r) => r.best)));
  const baseAt = baseMean(finite(baseRuns.map((r) => r.atStep ?? null)));
  const variantsPerGroup = new Map<string | null, number>();
  for (const members of sets.values()) variantsPerGroup.set(members[0].group, (variantsPerGroup.get(members[0].group) ?? 0) + 1);
  const variantNames = variantLabels([...sets.values()].map((members) => members[0]));

  const warnings: string[] = [];
  const rows: CompareRow[] = [];
  for (const [key, members] of sets) {
    const isBaseline = key === baselineKey;
    const changes = experimentalChanges(diffConfigs(baseRuns[0].config, members[0].config));
    const suggested = suggestRunName(changes);
    const group = members[0].group;
    const label =
      group !== null
        ? (variantsPerGroup.get(group) ?? 0) > 1
          ? `${group}/${variantNames.get(members[0].id) || suggested}`
          : group
        : members.every((r) => r.name === members[0].name)
          ? members[0].name
          : suggested;
    const missing = members.filter((r) => !Number.isFinite(pick(r) ?? NaN));
    if (missing.length > 0) {
      warnings.push(`${label}: ${missing.length} run(s) without a ${describeAt(at)} ${metric} (${missing.map((r) => r.name).join(', ')}) left out`);
    }
    if (changes.length > 1) warnings.push(`${label}: ${changes.length} fields differ from the baseline (${changes.map((c) => c.path).join(', ')})`);
    const values = finite(members.map(pick));
    const verdict = isBaseline
      ? null
      : classifyGroup(values, baseValues, alpha);
    rows.push({
      key: label,
      label,
      group,
      isBaseline,
      runIds: members.map((r) => r.id),
      seeds: members.map((r) => r.seed),
      final: summarize(finite(members.map((r) => r.final)), baseFinal),
      best: summarize(finite(members.map((r) => r.best)), baseBest),
      atStep: typeof at === 'number' ? summarize(finite(members.map((r) => r.atStep ?? null)), baseAt) : null,
      verdict: verdict ? verdict.verdict : 'baseline',
      p: verdict ? verdict.p : null,
      inNoiseBand: verdict ? verdict.inNoiseBand : null,
      explanation: verdict ? verdict.explanation : 'the baseline every other row is compared with',
      changes,
    });
  }

  // Labels name rows for people; two rows can share one (standalone runs with the same name), so keys get a suffix.
  const seen = new Map<string, number>();
  let baseRowKey = '';
  for (const row of rows) {
    const n = (seen.get(row.label) ?? 0) + 1;
    seen.set(row.label, n);
    if (n > 1) row.key = `${row.label} (${n})`;
    if (row.isBaseline) baseRowKey = row.key;
  }
  const rank = (row: CompareRow): number => {
    const m = comparedSummary(row, at).mean;
    return m === null ? Infinity : higher ? -m : m;
  };
  rows.sort((a, b) => rank(a) - rank(b) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return { ok: true, table: { metric, at, higherIsBetter: higher, alpha, baselineKey: baseRowKey, noiseBand: noiseBand(baseValues), rows, warnings } };
}

function fixed(value: number | null, digits = 4): string {
  return value === null ? '' : value.toFixed(digits);
}

function signed(value: number | null, digits = 4): string {
  return value === null ? '' : `${value > 0 ? '+' : ''}${value.toFixed(digits)}`;
}

function formatP(p: number | null): string {
  if (p === null) return '';
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}

const CSV_HEADER = [
  'label', 'group', 'baseline', 'n', 'seeds', 'final_mean', 'final_std', 'final_delta', 'best_mean', 'best_std', 'best_delta',
  'at_step_mean', 'at_step_std', 'at_step_delta', 'p_value', 'verdict', 'in_noise_band', 'changes', 'run_ids', 'metric', 'at',
];

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function describeChanges(changes: readonly ConfigChange[]): string {
  return changes.map((c) => `${c.path}: ${JSON.stringify(c.from) ?? 'unset'} → ${JSON.stringify(c.to) ?? 'unset'}`).join('; ');
}

/** The table as CSV (full precision), for the Compare view's export. */
export function compareTableToCsv(table: CompareTable): string {
  const lines = [CSV_HEADER.join(',')];
  const num = (v: number | null | undefined): string => String(v ?? '');
  for (const row of table.rows) {
    const n = comparedSummary(row, table.at).values.length;
    const cells = [
      row.label, row.group ?? '', row.isBaseline ? 'yes' : '', String(n), row.seeds.join(' '),
      num(row.final.mean), num(row.final.std), num(row.final.delta),
      num(row.best.mean), num(row.best.std), num(row.best.delta),
      num(row.atStep?.mean), num(row.atStep?.std), num(row.atStep?.delta),
      num(row.p), row.verdict, row.inNoiseBand === null ? '' : String(row.inNoiseBand),
      describeChanges(row.changes), row.runIds.join(' '), table.metric, String(table.at),
    ];
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Units of a Δ in the footer: nats for losses, the metric's own units otherwise. */
function deltaUnits(key: string): string {
  return /(^|\/)(loss|ce)$/.test(key) ? 'in nats ' : '';
}

/** The table as aligned text for `loupe compare`. */
export function formatCompareTable(table: CompareTable): string {
  const stepCol = typeof table.at === 'number' ? `@${table.at}` : null;
  const header = ['run / group', 'n', `final (mean ± std)`, 'Δ final', 'best', 'Δ best', ...(stepCol ? [stepCol, `Δ ${stepCol}`] : []), 'p', 'verdict'];
  const meanStd = (s: MetricSummary): string => (s.mean === null ? '—' : `${fixed(s.mean)}${s.std === null ? '' : ` ± ${fixed(s.std)}`}`);
  const body = table.rows.map((row) => {
    const summary = comparedSummary(row, table.at);
    const atCells = stepCol && row.atStep ? [meanStd(row.atStep), row.isBaseline ? '' : signed(row.atStep.delta)] : stepCol ? ['—', ''] : [];
    return [
      `${row.isBaseline ? '* ' : '  '}${row.label}`, String(summary.values.length), meanStd(row.final),
      row.isBaseline ? '' : signed(row.final.delta), fixed(row.best.mean), row.isBaseline ? '' : signed(row.best.delta),
      ...atCells, formatP(row.p), row.verdict,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const out = [`${table.metric} (${table.higherIsBetter ? 'higher' : 'lower'} is better), compared at ${describeAt(table.at)}`, '', line(header), line(widths.map((w) => '─'.repeat(w))), ...body.map(line)];
  const band = table.noiseBand;
  out.push('');
  out.push(
    `* baseline. Δ ${deltaUnits(table.metric)}vs the baseline mean (${table.higherIsBetter ? 'positive' : 'negative'} is better); ` +
      `p: Welch t-test on the ${describeAt(table.at)} ${table.metric}, significant if < ${table.alpha}.`,
  );
  out.push(band ? `Noise band (baseline mean ± ${band.sigmas}σ over ${band.n} seeds): ${fixed(band.lower)} – ${fixed(band.upper)}` : 'No noise band: the baseline has fewer than 2 seeds.');
  for (const w of table.warnings) out.push(`warning: ${w}`);
  return out.join('\n');
}
