// Ablation services over the run store: sweeps queued as named groups linked to a baseline, group listings,
// and the compare table of runs and groups against a baseline. Shared by the API and `loupe sweep/compare`.
import type { z } from 'zod';
import { resolveConfig, type RunConfig, type ConfigIssue } from '../../shared/config.ts';
import { parseConfigText, stringifyConfig, type TextConfigIssue } from '../../shared/config-yaml.ts';
import { diffConfigs, experimentalChanges, type ConfigChange } from '../../shared/ablation/diff.ts';
import { expandSweep, expandVariants, fieldSchema, parseVary, sweepGroupName, type Vary, type VaryValue } from '../../shared/ablation/sweep.ts';
import { compareRuns, resolveCompareMetric, seriesValues, type BaselineRef, type CompareRun } from '../../shared/ablation/compare.ts';
import { reviewCandidate } from '../../shared/ablation/candidate.ts';
import { isActive, type RunSummary } from '../../shared/runs.ts';
import { GAP_KEY, gapSeries, gapTrainKey } from '../../shared/generalisation-gap.ts';
import { MetricKey } from '../../shared/metrics.ts';
import type {
  BaseConfigResult,
  CompareParams,
  CompareResult,
  ConfigSource,
  GroupInfo,
  ReviewResult,
  SweepParams,
  SweepResult,
  VaryInput,
} from '../../shared/api/ablation.ts';
import type { Store } from '../store/store.ts';
import type { ServiceEvents } from '../scheduler/events.ts';
import type { RunServices } from './runs.ts';
import { memoryFitIssue } from '../engine/memory-fit.ts';
import { ServiceError } from './errors.ts';
import { checkCorpus, readBaselineConfig, resolveWithOverrides } from './config-input.ts';

/** Params after the contract's defaults are applied (what handlers receive). */
export type SweepRequest = z.output<typeof SweepParams>;
export type CompareRequest = z.output<typeof CompareParams>;

export interface AblationServices {
  /** A run's config, or the bundled recipe (with `steps` applied, as the one-click baseline does). */
  baseConfig(runId?: string, steps?: number): BaseConfigResult;
  review(p: { baselineId?: string; candidate: ConfigSource }): ReviewResult;
  sweep(p: SweepRequest): SweepResult;
  groups(opts?: { includeArchived?: boolean }): GroupInfo[];
  compare(p: CompareRequest): CompareResult;
  /** A CLI argument: an existing group's exact name, else a run id (or unique part of one). */
  resolveTarget(ref: string): { group: string } | { runId: string };
}

export interface AblationDeps {
  store: Store;
  runs: RunServices;
  events: ServiceEvents;
}

function bad(path: string, message: string): ServiceError {
  return new ServiceError('bad_request', path ? `${path}: ${message}` : message, [{ path, message }]);
}

function prefixIssues(prefix: string, issues: readonly ConfigIssue[]): ConfigIssue[] {
  return issues.map((i) => ({ path: i.path ? `${prefix}.${i.path}` : prefix, message: i.message }));
}

function describeTextIssue(i: TextConfigIssue): string {
  return `${i.line !== undefined ? `line ${i.line}: ` : ''}${i.path || '(root)'}: ${i.message}`;
}

/** Text from the editor (YAML, or JSON when it looks like JSON) or an already parsed object → raw validated config. */
function parseSource(source: ConfigSource): { ok: true; config: RunConfig } | { ok: false; issues: TextConfigIssue[] } {
  if (typeof source === 'string') return parseConfigText(source, source.trimStart().startsWith('{') ? 'json' : 'yaml');
  return resolveConfig(source);
}

function configOrThrow(source: ConfigSource, path: string): RunConfig {
  const parsed = parseSource(source);
  if (parsed.ok) return parsed.config;
  const lines = parsed.issues.map((i) => `  ${describeTextIssue(i)}`).join('\n');
  throw new ServiceError('bad_request', `invalid ${path}:\n${lines}`, prefixIssues(path, parsed.issues));
}

/** Reads one launcher value the way the field wants it: "1e-3" → 0.001, "true" → true, other text as is. */
function coerceValue(schema: z.ZodType, value: VaryValue): VaryValue | null {
  const candidates: VaryValue[] = [value];
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed !== '' && Number.isFinite(Number(trimmed))) candidates.unshift(Number(trimmed));
    if (trimmed === 'true' || trimmed === 'false') candidates.unshift(trimmed === 'true');
  }
  return candidates.find((c) => schema.safeParse(c).success) ?? null;
}

/** The CLI form ("train.lr=1e-3,6e-4") or the launcher form ({ field, values }), checked against the config schema. */
function readVary(input: VaryInput): Vary {
  const path = typeof input === 'string' ? input.slice(0, Math.max(0, input.indexOf('='))).trim() : input.field;
  if (path === 'seed' || path === 'name') {
    const why = path === 'seed' ? 'seeds come from "seeds" (a count or a list)' : 'it is a label, and runs are named for what changed';
    throw bad(typeof input === 'string' ? 'vary' : 'vary.field', `${path} cannot be varied: ${why}`);
  }
  if (typeof input === 'string') {
    const parsed = parseVary(input);
    if (!parsed.ok) throw bad('vary', parsed.error.replace(/^--vary /, ''));
    return parsed.vary;
  }
  const field = fieldSchema(input.field);
  if (!field.ok) throw bad('vary.field', field.error);
  const values: VaryValue[] = [];
  input.values.forEach((raw, i) => {
    const value = coerceValue(field.schema, raw);
    if (value === null) {
      const why = field.schema.safeParse(raw);
      throw bad(`vary.values.${i}`, `${JSON.stringify(raw)} is not a valid ${input.field}${why.success ? '' : `: ${why.error.issues[0].message}`}`);
    }
    if (values.some((v) => v === value)) throw bad(`vary.values.${i}`, `${JSON.stringify(raw)} is listed twice`);
    values.push(value);
  });
  return { path: input.field, values };
}

/** Experimental fields of b that differ from a (seed, name, alert thresholds and checkpoint cadence aside). */
function changesBetween(a: RunConfig, b: RunConfig): ConfigChange[] {
  return experimentalChanges(diffConfigs(a, b));
}

/** Creation order; a sweep creates its runs within one millisecond, so seed breaks the tie. */
function compareTimes(a: RunSummary, b: RunSummary): number {
  return a.createdAt - b.createdAt || a.seed - b.seed || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function createAblationServices({ store, runs, events }: AblationDeps): AblationServices {
  const allRuns = (includeArchived = true): RunSummary[] => store.runs.list({ includeArchived });
  const groupNames = (): Set<string> => new Set(allRuns().flatMap((r) => (r.groupName === null ? [] : [r.groupName])));
  const groupRuns = (name: string): RunSummary[] => allRuns(false).filter((r) => r.groupName === name).sort(compareTimes);

  const runIdOrThrow = (ref: string, path: string): string => {
    try {
      return runs.resolveId(ref);
    } catch (e) {
      if (e instanceof ServiceError) throw new ServiceError(e.code, e.message, [{ path, message: e.message }]);
      throw e;
    }
  };

  /** A stored series, or the derived generalisation gap (val − smoothed train cross-entropy), which is never stored. */
  const seriesOf = (runId: string, key: string): { steps: number[]; values: number[] } | undefined => {
    if (key !== GAP_KEY) return store.metrics.series(runId, [key])[0];
    const keys = new Set(store.metrics.keys(runId));
    const [train, val] = store.metrics.series(runId, [gapTrainKey((k) => keys.has(k)), MetricKey.valLoss]);
    return gapSeries(train, val);
  };

  const sameExperiment = (a: RunConfig, b: RunConfig): boolean => changesBetween(a, b).length === 0;

  const uniqueGroupName = (wanted: string): string => {
    const taken = groupNames();
    if (!taken.has(wanted)) return wanted;
    for (let i = 2; ; i++) if (!taken.has(`${wanted}-${i}`)) return `${wanted}-${i}`;
  };

  const baseConfig = (runId?: string, steps?: number): BaseConfigResult => {
    if (runId) {
      const id = runIdOrThrow(runId, 'runId');
      const config = store.runs.config(id);
      return { runId: id, name: store.runs.require(id).name, config, yaml: stringifyConfig(config) };
    }
    const config = resolveWithOverrides(readBaselineConfig(), { steps });
    return { runId: null, name: config.name, config, yaml: stringifyConfig(config) };
  };

  const sweep = (p: SweepRequest): SweepResult => {
    const varied = p.vary === undefined ? null : readVary(p.vary);
    const baselineId = p.baselineId === undefined ? null : runIdOrThrow(p.baselineId, 'baselineId');
    const baselineConfig = baselineId === null ? null : store.runs.config(baselineId);
    let input: RunConfig;
    if (p.config !== undefined) input = configOrThrow(p.config, 'config');
    else if (baselineConfig) input = baselineConfig;
    else throw bad('config', 'give the config to sweep, or a baselineId to sweep from its config');
    // Steps override and dataset check, with the same rules as `loupe train --steps`.
    let base: RunConfig;
    try {
      base = resolveWithOverrides(input, { steps: p.steps, scale: p.scale });
    } catch (e) {
      if (e instanceof ServiceError && e.issues) throw new ServiceError(e.code, e.message, prefixIssues('config', e.issues));
      throw e;
    }
    // Without a field, the sweep is seed replicates of the base config (a baseline's noise band).
    const vary: Vary = varied ?? { path: 'seed', values: [base.seed] };
    const variants = p.variants;
    const expanded = variants ? expandVariants(base, variants, p.seeds) : expandSweep(base, vary, p.seeds);
    const what = variants ? 'variants' : 'vary';
    if (!expanded.ok) throw bad(/seed/.test(expanded.error) && !expanded.error.startsWith(vary.path) && !expanded.error.startsWith('variant') ? 'seeds' : what, expanded.error);
    const variedPaths = variants ? [...new Set(variants.flatMap((v) => Object.keys(v.set)))] : null;

    let group: string;
    if (p.group !== undefined) {
      const existing = allRuns().filter((r) => r.groupName === p.group).length;
      if (existing > 0) {
        throw new ServiceError('conflict', `group "${p.group}" already holds ${existing} run(s); pick another name`, [
          { path: 'group', message: 'a group of that name already exists' },
        ]);
      }
      group = p.group;
    } else group = uniqueGroupName(variants ? `variants-${base.name}` : varied ? sweepGroupName(varied) : `seeds-${base.name}`);

    const warnings: string[] = [];
    if (baselineConfig) {
      const extra = changesBetween(baselineConfig, base).filter((c) => c.path !== varied?.path && !variedPaths?.includes(c.path));
      if (extra.length > 0) {
        warnings.push(
          `the sweep's base config differs from the baseline in ${extra.length} field(s)${varied ? ` besides ${varied.path}` : ''} ` +
            `(${extra.map((c) => c.path).join(', ')}): a difference in loss cannot be put down to ${varied ? varied.path : 'seed noise'} alone`,
        );
      }
    }
    const seeds = [...new Set(expanded.runs.map((r) => r.seed))];
    // Names come from expandSweep, the same the launcher previews.
    const named = expanded.runs;
    // A swept dataset is checked for every value before anything is queued: no half-queued sweeps.
    if (varied?.path === 'data.corpus') {
      for (const r of named) {
        try {
          checkCorpus(r.config);
        } catch (e) {
          if (e instanceof ServiceError) throw bad('vary', e.message);
          throw e;
        }
      }
    }
    // So is the memory each run needs: a swept size can fit for one value and not for the next.
    for (const r of named) {
      const fit = memoryFitIssue(r.config);
      if (fit) throw bad(variants ? 'variants' : varied ? 'vary' : 'config', `${r.name}: ${fit.message}`);
    }
    const planned = named.map((r) => ({ name: r.name, value: r.value, seed: r.seed, changes: r.changes }));
    const field = variedPaths ? variedPaths.join('+') : (varied?.path ?? null);
    const values = variants ? variants.map((v) => v.label) : (varied?.values ?? []);
    const result: SweepResult = { group, baselineId, field, values, seeds, planned, runs: [], warnings };
    if (p.dryRun) return result;

    for (const run of named) {
      result.runs.push(runs.start({ config: run.config, hypothesis: p.hypothesis, baselineId: baselineId ?? undefined, groupName: group }));
    }
    events.emit('ablation.sweep', { group, runIds: result.runs.map((r) => r.id), baselineId });
    return result;
  };

  const groups = (opts: { includeArchived?: boolean } = {}): GroupInfo[] => {
    const byName = new Map<string, RunSummary[]>();
    for (const run of allRuns(Boolean(opts.includeArchived))) {
      if (run.groupName === null) continue;
      byName.set(run.groupName, [...(byName.get(run.groupName) ?? []), run]);
    }
    const out: GroupInfo[] = [];
    for (const [name, members] of byName) {
      members.sort(compareTimes);
      const statusCounts: GroupInfo['statusCounts'] = {};
      for (const r of members) statusCounts[r.status] = (statusCounts[r.status] ?? 0) + 1;
      const baselines = new Set(members.map((r) => r.baselineId));
      const first = store.runs.config(members[0].id);
      const varied = new Set<string>();
      for (const r of members.slice(1)) for (const c of changesBetween(first, store.runs.config(r.id))) varied.add(c.path);
      out.push({
        name,
        runIds: members.map((r) => r.id),
        runCount: members.length,
        statusCounts,
        done: members.every((r) => !isActive(r.status)),
        baselineId: baselines.size === 1 ? [...baselines][0] : null,
        variedFields: [...varied],
        seeds: [...new Set(members.map((r) => r.seed))],
        createdAt: members[0].createdAt,
        updatedAt: Math.max(...members.map((r) => r.endedAt ?? r.startedAt ?? r.createdAt)),
      });
    }
    return out.sort((a, b) => b.createdAt - a.createdAt || (a.name < b.name ? -1 : 1));
  };

  const compare = (p: CompareRequest): CompareResult => {
    const resolved = resolveCompareMetric(p.metric, p.at);
    if (!resolved.ok) throw bad('metric', resolved.error);
    const chosen = resolved;
    const picked = new Map<string, RunSummary>();
    const add = (r: RunSummary): void => void picked.set(r.id, r);
    (p.runIds ?? []).forEach((ref, i) => add(store.runs.require(runIdOrThrow(ref, `runIds.${i}`))));
    (p.groups ?? []).forEach((name, i) => {
      const members = groupRuns(name);
      if (members.length === 0) throw new ServiceError('not_found', `no group named "${name}"`, [{ path: `groups.${i}`, message: 'no such group' }]);
      members.forEach(add);
    });
    if (picked.size === 0) throw bad('', 'nothing to compare: give runIds or groups');

    let baseline: BaselineRef;
    if (p.baseline && 'runId' in p.baseline) baseline = { runId: runIdOrThrow(p.baseline.runId, 'baseline.runId') };
    else if (p.baseline) baseline = { group: p.baseline.group };
    else {
      const linked = new Set([...picked.values()].map((r) => r.baselineId));
      const only = linked.size === 1 ? [...linked][0] : null;
      if (only === null) {
        const why = linked.size > 1 ? 'the compared runs link to different baselines' : 'the compared runs link to no baseline';
        throw bad('baseline', `${why}; pick one (a run or a group)`);
      }
      baseline = { runId: only };
    }

    // The baseline joins with its seed replicates: same group (or none) and the same config, seed and name aside.
    if ('runId' in baseline) {
      const base = store.runs.require(baseline.runId);
      const baseCfg = store.runs.config(base.id);
      add(base);
      for (const r of allRuns(false)) {
        if (r.groupName === base.groupName && !picked.has(r.id) && sameExperiment(baseCfg, store.runs.config(r.id))) add(r);
      }
    } else {
      const members = groupRuns(baseline.group);
      if (members.length === 0) throw new ServiceError('not_found', `no group named "${baseline.group}"`, [{ path: 'baseline.group', message: 'no such group' }]);
      members.forEach(add);
    }

    const ordered = [...picked.values()].sort(compareTimes);
    const finished = (r: RunSummary): boolean => r.status === 'finished';
    const input: CompareRun[] = ordered.map((r) => {
      // Unfinished runs stopped early: their values are not comparable with a full run's.
      const s = finished(r) ? seriesOf(r.id, chosen.key) : undefined;
      const v = s ? seriesValues(s.steps, s.values, chosen.key, chosen.at) : { final: null, best: null, atStep: null };
      return { id: r.id, name: r.name, group: r.groupName, seed: r.seed, ...v, config: store.runs.config(r.id) };
    });
    const built = compareRuns(input, baseline, { key: chosen.key, at: chosen.at, alpha: p.alpha });
    if (!built.ok) throw bad('baseline', built.error);
    const table = built.table;
    const pending = ordered.filter((r) => isActive(r.status));
    if (pending.length > 0) table.warnings.unshift(`${pending.length} run(s) still queued or running (${pending.map((r) => r.name).join(', ')}): compare again when they finish`);
    const unfinished = ordered.filter((r) => !finished(r) && !isActive(r.status));
    if (unfinished.length > 0) table.warnings.unshift(`${unfinished.length} run(s) did not finish (${unfinished.map((r) => `${r.name}: ${r.status}`).join(', ')}) and are left out`);

    const rowOf = new Map(table.rows.flatMap((row) => row.runIds.map((id) => [id, row.key] as const)));
    return {
      table,
      baseline,
      runs: input.map((r, i) => ({
        id: r.id,
        name: r.name,
        group: r.group,
        seed: r.seed,
        status: ordered[i].status,
        finalValLoss: finished(ordered[i]) ? ordered[i].lastValLoss : null,
        bestValLoss: finished(ordered[i]) ? ordered[i].bestValLoss : null,
        final: r.final,
        best: r.best,
        atStep: r.atStep ?? null,
        rowKey: rowOf.get(r.id) ?? '',
      })),
      curves: p.curveKeys.length === 0 ? [] : ordered.map((r) => ({ runId: r.id, series: runs.metrics(r.id, p.curveKeys) })),
      metricKeys: [...new Set(ordered.flatMap((r) => store.metrics.keys(r.id)))].sort(),
    };
  };

  return {
    baseConfig,
    review({ baselineId, candidate }) {
      const base = baselineId ? store.runs.config(runIdOrThrow(baselineId, 'baselineId')) : resolveWithOverrides(readBaselineConfig());
      const parsed = parseSource(candidate);
      if (!parsed.ok) return { ok: false, issues: parsed.issues };
      return { ok: true, config: parsed.config, review: reviewCandidate(base, parsed.config) };
    },
    sweep,
    groups,
    compare,
    resolveTarget(ref) {
      if (groupNames().has(ref)) return { group: ref };
      return { runId: runs.resolveId(ref) };
    },
  };
}
