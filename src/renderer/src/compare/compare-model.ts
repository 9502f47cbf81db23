// View model of the Compare page: what the route selects, and the compare table turned into bar, error-bar,
// noise-band and curve data. Pure; the page hands these to ECharts and to the HTML table.
import type { CompareMetric, CompareRow, CompareTable, ConfigChange } from '../../../shared/ablation/index.ts';
import { formatCompactNumber } from '../../../shared/ablation/index.ts';

/** Groups travel in the route next to run ids, marked by this prefix ("g:sweep-lr"). */
const GROUP_PREFIX = 'g:';

export function groupRouteId(group: string): string {
  return `${GROUP_PREFIX}${group}`;
}

export interface Selection {
  runIds: string[];
  groups: string[];
}

/** Splits the route's ids into runs and groups, dropping duplicates and empty names. */
export function parseSelection(ids: readonly string[]): Selection {
  const runIds = new Set<string>();
  const groups = new Set<string>();
  for (const id of ids) {
    if (id.startsWith(GROUP_PREFIX)) {
      const g = id.slice(GROUP_PREFIX.length).trim();
      if (g) groups.add(g);
    } else if (id.trim()) runIds.add(id.trim());
  }
  return { runIds: [...runIds], groups: [...groups] };
}

export function selectionIds(s: Selection): string[] {
  return [...s.groups.map(groupRouteId), ...s.runIds];
}

export function toggleInSelection(s: Selection, kind: 'run' | 'group', id: string, on: boolean): Selection {
  const key = kind === 'run' ? 'runIds' : 'groups';
  const list = s[key].filter((x) => x !== id);
  return { ...s, [key]: on ? [...list, id] : list };
}

/** A p-value as the table and labels print it. */
export function formatP(p: number | null): string {
  if (p === null) return '—';
  return p < 1e-4 ? p.toExponential(1) : p.toPrecision(2);
}

/** A loss difference in nats with its sign ("+0.0123", "−0.0045"). */
export function formatDelta(delta: number | null, digits = 4): string {
  if (delta === null) return '—';
  const abs = Math.abs(delta).toFixed(digits);
  if (Number(abs) === 0) return `±${abs}`;
  return `${delta < 0 ? '−' : '+'}${abs}`;
}

export function formatMeanStd(mean: number | null, std: number | null, digits = 4): string {
  if (mean === null) return '—';
  return std === null ? mean.toFixed(digits) : `${mean.toFixed(digits)} ± ${std.toFixed(digits)}`;
}

/** The verdict as a row shows it: the baseline, or the test's verdict with its p-value. */
export function verdictLabel(row: CompareRow): string {
  if (row.isBaseline) return 'baseline';
  if (row.verdict === 'needs seeds') return 'needs seeds (no p-value)';
  return `${row.verdict} (p = ${formatP(row.p)})`;
}

export interface BarDatum {
  /** Index of the row on the category axis (table order: best first). */
  index: number;
  label: string;
  metric: CompareMetric;
  /** Δ vs the baseline mean in nats; null when the row has no value for this metric. */
  delta: number | null;
  mean: number | null;
  std: number | null;
  n: number;
}

export interface CompareChartModel {
  categories: string[];
  /** Two-line axis labels: the row, then its verdict and p-value (for the chosen metric). */
  axisLabels: string[];
  bars: Record<CompareMetric, BarDatum[]>;
  /** Error bars (Δ ± std over seeds) where a row has two or more seeds. */
  errorBars: (BarDatum & { delta: number; std: number })[];
  /** The baseline's seed spread (±2σ) on the chosen metric, relative to its mean (so around Δ = 0). */
  band: { lower: number; upper: number; sigmas: number; n: number } | null;
  /** Axis extent covering bars, error bars and the band, with a little air. */
  extent: [number, number];
}

const METRICS: CompareMetric[] = ['final', 'best'];

/** The bar chart's data: Δ of final and best val loss per row, in the table's (sorted) order. */
export function compareChartModel(table: CompareTable): CompareChartModel {
  const categories = table.rows.map((r) => r.label);
  const axisLabels = table.rows.map((r) => `${r.label}\n${verdictLabel(r)}`);
  const bars = { final: [] as BarDatum[], best: [] as BarDatum[] };
  for (const metric of METRICS) {
    table.rows.forEach((row, index) => {
      const s = row[metric];
      bars[metric].push({ index, label: row.label, metric, delta: s.delta, mean: s.mean, std: s.std, n: s.values.length });
    });
  }
  const errorBars = METRICS.flatMap((m) => bars[m]).filter((b): b is BarDatum & { delta: number; std: number } => b.delta !== null && b.std !== null);
  const nb = table.noiseBand;
  const band = nb ? { lower: nb.lower - nb.mean, upper: nb.upper - nb.mean, sigmas: nb.sigmas, n: nb.n } : null;
  let lo = 0;
  let hi = 0;
  for (const b of [...bars.final, ...bars.best]) {
    if (b.delta === null) continue;
    lo = Math.min(lo, b.delta - (b.std ?? 0));
    hi = Math.max(hi, b.delta + (b.std ?? 0));
  }
  if (band) {
    lo = Math.min(lo, band.lower);
    hi = Math.max(hi, band.upper);
  }
  const pad = (hi - lo || 0.01) * 0.12;
  return { categories, axisLabels, bars, errorBars, band, extent: [lo - pad, hi + pad] };
}

/** One row of the config-diff table: what the row changed against the baseline, as text. */
export function describeChange(c: ConfigChange): string {
  const v = (x: unknown): string => (x === undefined ? 'unset' : typeof x === 'number' ? formatCompactNumber(x) : typeof x === 'string' ? x : JSON.stringify(x));
  return `${c.path}: ${v(c.from)} → ${v(c.to)}`;
}

export interface CurveLine {
  runId: string;
  name: string;
  rowKey: string;
  color: string;
  /** Dashed for every seed after a row's first, so seeds of one row read as one family. */
  dashed: boolean;
  points: [number, number][];
}

/** The val-loss curves, coloured by row (seeds of a row share its colour), finite points only. */
export function curveLines(
  runs: readonly { id: string; name: string; rowKey: string }[],
  curves: readonly { runId: string; series: readonly { key: string; steps: readonly number[]; values: readonly (number | string)[] }[] }[],
  rowColors: ReadonlyMap<string, string>,
  key = 'val/loss',
): CurveLine[] {
  const seen = new Map<string, number>();
  const lines: CurveLine[] = [];
  for (const run of runs) {
    const series = curves.find((c) => c.runId === run.id)?.series.find((s) => s.key === key);
    const points: [number, number][] = [];
    if (series) {
      series.steps.forEach((step, i) => {
        const v = Number(series.values[i]);
        if (Number.isFinite(v)) points.push([step, v]);
      });
    }
    const nth = seen.get(run.rowKey) ?? 0;
    seen.set(run.rowKey, nth + 1);
    lines.push({ runId: run.id, name: run.name, rowKey: run.rowKey, color: rowColors.get(run.rowKey) ?? '#888', dashed: nth > 0, points });
  }
  return lines;
}

const ROW_COLORS = ['#6ea8fe', '#ff8c5a', '#5cc98a', '#b38cff', '#f0b44c', '#4dd0e1', '#e377c2', '#bcbd22', '#8c564b', '#d62728'];

/** A stable colour per row, the baseline always first (so it keeps its colour as other rows come and go). */
export function rowColorMap(table: CompareTable): Map<string, string> {
  const ordered = [...table.rows].sort((a, b) => Number(b.isBaseline) - Number(a.isBaseline));
  return new Map(ordered.map((r, i) => [r.key, ROW_COLORS[i % ROW_COLORS.length]]));
}

export interface BaselineChoice {
  /** "run:<id>" or "group:<name>", as the Baseline menu sends it. */
  value: string;
  label: string;
  /** Why a choice cannot be the baseline (a group of several configs); the menu shows it disabled. */
  disabled?: string;
}

interface ChoiceRun {
  id: string;
  name: string;
  groupName: string | null;
}

interface ChoiceGroup {
  name: string;
  runIds: readonly string[];
  variedFields: readonly string[];
}

/** A sweep run's variant: its name without the seed suffix ("lr3e-4-s1338" → "lr3e-4"). */
export function variantOf(name: string): string {
  return name.replace(/-s\d+$/, '');
}

/**
 * Everything that can be the baseline of the current selection, without a comparison having succeeded first: each
 * picked group as a whole (when it holds one config), each of its variants (its seeds join it), each picked run, and
 * the runs a previous comparison brought in.
 */
export function baselineChoices(
  selection: Selection,
  groups: readonly ChoiceGroup[],
  runs: readonly ChoiceRun[],
  compared: readonly ChoiceRun[] = [],
): BaselineChoice[] {
  const out: BaselineChoice[] = [];
  const covered = new Set<string>();
  const byId = new Map([...compared, ...runs].map((r) => [r.id, r]));
  for (const name of selection.groups) {
    const group = groups.find((g) => g.name === name);
    const members = (group?.runIds ?? runs.filter((r) => r.groupName === name).map((r) => r.id)).map((id) => byId.get(id)).filter((r): r is ChoiceRun => r !== undefined);
    const severalConfigs = group !== undefined && group.variedFields.length > 0;
    out.push({
      value: `group:${name}`,
      label: `all of ${name}`,
      ...(severalConfigs ? { disabled: `${name} varies ${group.variedFields.join(', ')}: pick one of its variants` } : {}),
    });
    const variants = new Map<string, ChoiceRun[]>();
    for (const r of members) variants.set(variantOf(r.name), [...(variants.get(variantOf(r.name)) ?? []), r]);
    for (const [variant, rs] of variants) {
      out.push({ value: `run:${rs[0].id}`, label: `${name} / ${variant} (${rs.length} seed${rs.length === 1 ? '' : 's'})` });
      rs.forEach((r) => covered.add(r.id));
    }
  }
  for (const id of [...selection.runIds, ...compared.map((r) => r.id)]) {
    const r = byId.get(id);
    if (!r || covered.has(id)) continue;
    covered.add(id);
    out.push({ value: `run:${id}`, label: `${r.name}${r.groupName ? ` (${r.groupName})` : ''}` });
  }
  return out;
}

/**
 * The label over a bar: Δ for a compared row; for the baseline (whose Δ is 0 by definition) its own spread, so "±0.000"
 * is never read as its std.
 */
export function barLabel(row: CompareRow, metric: CompareMetric, digits = 3): string {
  const s = row[metric];
  if (row.isBaseline) return s.std === null ? 'baseline' : `baseline σ ${s.std.toFixed(digits)}`;
  return formatDelta(s.delta, digits);
}
