// The compare table of the Compare view and `loupe compare`: seed replicates grouped, Δ vs the baseline in nats,
// mean ± std, Welch p-value and a verdict per row, plus the CSV and text renderings of that table.
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
  /** Validation loss at the last eval; null when the run never evaluated (crashed early). */
  finalValLoss: number | null;
  bestValLoss: number | null;
  /** The run's resolved config. */
  config: unknown;
}

/** The baseline: one run (its replicate set is the baseline row), or a group whose runs share one config. */
export type BaselineRef = { runId: string } | { group: string };

export type CompareMetric = 'final' | 'best';

export interface CompareOptions {
  /** Which loss ranks the rows and drives the t-test (default "final"). */
  metric?: CompareMetric;
  /** Significance level (default 0.05). */
  alpha?: number;
}

export interface MetricSummary {
  /** Finite values over the row's runs, in run order. */
  values: number[];
  mean: number | null;
  /** Sample standard deviation over seeds; null below two values. */
  std: number | null;
  /** mean − baseline mean, in nats (negative is better); null without values. */
  delta: number | null;
}

export interface CompareRow {
  /** Stable identity of the row: group plus config fingerprint. */
  key: string;
  label: string;
  group: string | null;
  isBaseline: boolean;
  runIds: string[];
  seeds: number[];
  final: MetricSummary;
  best: MetricSummary;
  verdict: Verdict | 'baseline';
  p: number | null;
  inNoiseBand: boolean | null;
  explanation: string;
  /** Config changes against the baseline row's first run, seed and name aside. */
  changes: ConfigChange[];
}

export interface CompareTable {
  metric: CompareMetric;
  alpha: number;
  baselineKey: string;
  /** The baseline's spread over seeds on the chosen metric (mean ± 2σ); null with fewer than two seeds. */
  noiseBand: NoiseBand | null;
  /** Sorted by the chosen metric's mean, best (lowest) first; rows without values last. */
  rows: CompareRow[];
  warnings: string[];
}

export type CompareResult = { ok: true; table: CompareTable } | { ok: false; error: string };

/** Runs are replicates when they share a group and a config apart from the fields that are not experimental. */
function replicateKey(run: CompareRun): string {
  const leaves = [...flattenConfig(run.config)].filter(([path]) => !isIgnoredField(path));
  leaves.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${run.group ?? ''}\u0000${JSON.stringify(leaves)}`;
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
  const metric = options.metric ?? 'final';
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

  const pick = (run: CompareRun): number | null => (metric === 'final' ? run.finalValLoss : run.bestValLoss);
  const baseRuns = sets.get(baselineKey)!;
  const baseValues = finite(baseRuns.map(pick));
  const baseFinal = finite(baseRuns.map((r) => r.finalValLoss));
  const baseBest = finite(baseRuns.map((r) => r.bestValLoss));
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
      warnings.push(`${label}: ${missing.length} run(s) without a ${metric} val loss (${missing.map((r) => r.name).join(', ')}) left out`);
    }
    if (changes.length > 1) warnings.push(`${label}: ${changes.length} fields differ from the baseline (${changes.map((c) => c.path).join(', ')})`);
    const values = finite(members.map(pick));
    const verdict = isBaseline
      ? null
      : classifyGroup(values, baseValues, alpha);
    rows.push({
      key,
      label,
      group,
      isBaseline,
      runIds: members.map((r) => r.id),
      seeds: members.map((r) => r.seed),
      final: summarize(finite(members.map((r) => r.finalValLoss)), baseFinal.length ? mean(baseFinal) : null),
      best: summarize(finite(members.map((r) => r.bestValLoss)), baseBest.length ? mean(baseBest) : null),
      verdict: verdict ? verdict.verdict : 'baseline',
      p: verdict ? verdict.p : null,
      inNoiseBand: verdict ? verdict.inNoiseBand : null,
      explanation: verdict ? verdict.explanation : 'the baseline every other row is compared with',
      changes,
    });
  }

  const rank = (row: CompareRow): number => (metric === 'final' ? row.final.mean : row.best.mean) ?? Infinity;
  rows.sort((a, b) => rank(a) - rank(b) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return { ok: true, table: { metric, alpha, baselineKey, noiseBand: noiseBand(baseValues), rows, warnings } };
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
  'p_value', 'verdict', 'in_noise_band', 'changes', 'run_ids',
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
  for (const row of table.rows) {
    const n = (table.metric === 'final' ? row.final : row.best).values.length;
    const cells = [
      row.label, row.group ?? '', row.isBaseline ? 'yes' : '', String(n), row.seeds.join(' '),
      String(row.final.mean ?? ''), String(row.final.std ?? ''), String(row.final.delta ?? ''),
      String(row.best.mean ?? ''), String(row.best.std ?? ''), String(row.best.delta ?? ''),
      String(row.p ?? ''), row.verdict, row.inNoiseBand === null ? '' : String(row.inNoiseBand),
      describeChanges(row.changes), row.runIds.join(' '),
    ];
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** The table as aligned text for `loupe compare`. */
export function formatCompareTable(table: CompareTable): string {
  const header = ['run / group', 'n', `final (mean ± std)`, 'Δ final', 'best', 'Δ best', 'p', 'verdict'];
  const body = table.rows.map((row) => {
    const summary = table.metric === 'final' ? row.final : row.best;
    const final = row.final.mean === null ? '—' : `${fixed(row.final.mean)}${row.final.std === null ? '' : ` ± ${fixed(row.final.std)}`}`;
    return [
      `${row.isBaseline ? '* ' : '  '}${row.label}`, String(summary.values.length), final,
      row.isBaseline ? '' : signed(row.final.delta), fixed(row.best.mean), row.isBaseline ? '' : signed(row.best.delta),
      formatP(row.p), row.verdict,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const out = [line(header), line(widths.map((w) => '─'.repeat(w))), ...body.map(line)];
  const band = table.noiseBand;
  out.push('');
  out.push(`* baseline. Δ in nats vs the baseline mean (negative is better); p: Welch t-test on ${table.metric} val loss, significant if < ${table.alpha}.`);
  out.push(band ? `Noise band (baseline mean ± ${band.sigmas}σ over ${band.n} seeds): ${fixed(band.lower)} – ${fixed(band.upper)}` : 'No noise band: the baseline has fewer than 2 seeds.');
  for (const w of table.warnings) out.push(`warning: ${w}`);
  return out.join('\n');
}
