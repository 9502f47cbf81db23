// Studies over the ablation machinery: the architecture study is one variant sweep (queue) and, per metric, one
// compare against the Pure Transformer's runs (table). Shared by the API and `loupe study architectures`.
import type { Store } from '../store/store.ts';
import type { AblationServices } from './ablation.ts';
import type { ArchitectureStudyParams, ArchitectureStudyResult, StudyCell, StudyRow, StudyTable } from '../../shared/api/studies.ts';
import { ArchitectureStudyParams as StudyParamsSchema } from '../../shared/api/studies.ts';
import type { CompareResult } from '../../shared/api/ablation.ts';
import { ARCHITECTURE_ARMS, armOf, paramFigures, planArchitectureStudy, studyBaseConfig, type ArchitectureArm } from '../../shared/studies/architectures.ts';
import { GAP_KEY } from '../../shared/generalisation-gap.ts';
import { MetricKey } from '../../shared/metrics.ts';
import { GenMetricKey } from '../../shared/generation/diagnosis.ts';
import { mean, sampleStd } from '../../shared/ablation/stats.ts';
import { isActive } from '../../shared/runs.ts';
import { ServiceError } from './errors.ts';
import { readBaselineConfig, resolveWithOverrides } from './config-input.ts';

/** Group names of architecture studies start with this (then "-2", "-3" when taken). */
export const STUDY_GROUP = 'study-architectures';

export interface StudyServices {
  architectures(p: ArchitectureStudyParams): ArchitectureStudyResult;
  list(): { group: string; runCount: number; done: boolean; createdAt: number }[];
  table(group: string): StudyTable;
}

/** The compared metrics of the table, by row field: each is one compare over the group. */
const COMPARED = {
  valLoss: MetricKey.valLoss,
  valPpl: MetricKey.valPpl,
  gap: GAP_KEY,
  loopFraction: GenMetricKey.loopFraction,
  seqRep4: GenMetricKey.seqRep4,
  sameness: GenMetricKey.sameness,
} as const;

function median(values: readonly number[]): number | null {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return null;
  const mid = finite.length >> 1;
  return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

function cell(values: number[], p: number | null): StudyCell {
  return { values, mean: values.length ? mean(values) : null, std: values.length >= 2 ? sampleStd(values) : null, p };
}

export function createStudyServices({ store, ablation }: { store: Store; ablation: AblationServices }): StudyServices {
  const studyGroups = (): string[] =>
    ablation
      .groups({ includeArchived: true })
      .map((g) => g.name)
      .filter((n) => n === STUDY_GROUP || n.startsWith(`${STUDY_GROUP}-`));

  const architectures = (input: ArchitectureStudyParams): ArchitectureStudyResult => {
    const p = StudyParamsSchema.parse(input);
    const recipe = resolveWithOverrides(readBaselineConfig());
    const base = studyBaseConfig(recipe, p.steps);
    const plan = planArchitectureStudy(base, p.params);
    if (!plan.ok) throw new ServiceError('bad_request', `params: ${plan.error}`, [{ path: 'params', message: plan.error }]);
    const taken = new Set(studyGroups());
    let group = STUDY_GROUP;
    for (let i = 2; taken.has(group); i++) group = `${STUDY_GROUP}-${i}`;
    const sweep = ablation.sweep({
      config: base,
      variants: plan.arms.map((a) => ({ label: a.variant.label, set: { ...a.variant.set } })),
      seeds: p.seeds,
      group,
      hypothesis: `architecture study at ${p.params} parameters: does the mixer (attention, Mamba, both, MoE MLP) change loss, the generalisation gap and repetition?`,
      dryRun: p.dryRun,
    });
    const planOut = plan.arms.map((a) => ({ arm: a.arm, label: a.label, dModel: Number(a.variant.set['model.d_model']), params: a.params }));
    return { ...sweep, plan: planOut };
  };

  const table = (group: string): StudyTable => {
    const info = ablation.groups({ includeArchived: false }).find((g) => g.name === group);
    if (!info) throw new ServiceError('not_found', `no group named "${group}"`, [{ path: 'group', message: 'no such group' }]);
    const configs = new Map(info.runIds.map((id) => [id, store.runs.config(id)] as const));
    const armById = new Map<string, ArchitectureArm>();
    for (const [id, config] of configs) {
      const arm = armOf(config.model);
      if (arm) armById.set(id, arm);
    }
    const baseRun = info.runIds.find((id) => armById.get(id) === 'transformer');
    if (baseRun === undefined) throw new ServiceError('bad_request', `group "${group}" has no Pure Transformer run to compare with`, [{ path: 'group', message: 'not an architecture study' }]);

    const compared = new Map<keyof typeof COMPARED, CompareResult>();
    for (const [field, key] of Object.entries(COMPARED) as [keyof typeof COMPARED, string][]) {
      compared.set(field, ablation.compare({ groups: [group], baseline: { runId: baseRun }, metric: key, alpha: 0.05, curveKeys: [] }));
    }
    const valLoss = compared.get('valLoss')!;
    const summaries = new Map(info.runIds.map((id) => [id, store.runs.require(id)] as const));

    const rows: StudyRow[] = [];
    for (const spec of ARCHITECTURE_ARMS) {
      const ids = info.runIds.filter((id) => armById.get(id) === spec.arm);
      if (ids.length === 0) continue;
      const finishedIds = ids.filter((id) => summaries.get(id)!.status === 'finished');
      const cellOf = (field: keyof typeof COMPARED): StudyCell => {
        const result = compared.get(field)!;
        const row = result.table.rows.find((r) => r.runIds.includes(ids[0]!));
        if (!row) return cell([], null);
        return cell(row.final.values, row.isBaseline ? null : row.p);
      };
      const throughput = finishedIds.flatMap((id) => {
        const [s] = store.metrics.series(id, [MetricKey.tokensPerS]);
        const m = s ? median(s.values) : null;
        return m === null ? [] : [m];
      });
      const figures = paramFigures(configs.get(ids[0]!)!);
      rows.push({
        arm: spec.arm,
        label: spec.label,
        isBaseline: spec.arm === 'transformer',
        runIds: ids,
        seeds: ids.map((id) => summaries.get(id)!.seed),
        finished: finishedIds.length,
        params: figures.ok ? figures.figures : { total: NaN, active: NaN },
        valLoss: cellOf('valLoss'),
        valPpl: cellOf('valPpl'),
        gap: cellOf('gap'),
        loopFraction: cellOf('loopFraction'),
        seqRep4: cellOf('seqRep4'),
        sameness: cellOf('sameness'),
        tokensPerS: cell(throughput, null),
      });
    }
    const stepsSet = new Set([...configs.values()].map((c) => c.train.steps));
    // Multi-field differences are the point of a study: compare's "N fields differ" lines would only repeat the plan.
    const warnings = valLoss.table.warnings.filter((w) => !/fields differ from the baseline/.test(w));
    const active = info.runIds.filter((id) => isActive(summaries.get(id)!.status)).length;
    if (active > 0 && !warnings.some((w) => /still queued or running/.test(w))) warnings.unshift(`${active} run(s) still queued or running`);
    return { group, rows, steps: stepsSet.size === 1 ? [...stepsSet][0]! : null, alpha: 0.05, warnings };
  };

  return {
    architectures,
    list: () => {
      const names = new Set(studyGroups());
      return ablation
        .groups({ includeArchived: false })
        .filter((g) => names.has(g.name))
        .map((g) => ({ group: g.name, runCount: g.runCount, done: g.done, createdAt: g.createdAt }));
    },
    table,
  };
}
