// Handlers for the ablation requests of the API contract (src/shared/api/ablation.ts): params arrive validated by
// the dispatcher; service and store failures leave as ApiFailure with field paths (e.g. "vary", "config.train.lr").
import type { Handlers } from './dispatcher.ts';
import type { Services } from '../services.ts';
import { guard } from './guard.ts';
import { compareTableToCsv } from '../../shared/ablation/compare.ts';

type AblationRequestName = 'ablation.baseConfig' | 'ablation.review' | 'ablation.sweep' | 'ablation.groups' | 'ablation.compare' | 'ablation.compareCsv';
export type AblationHandlers = Required<Pick<Handlers, AblationRequestName>>;

/** A file name for the CSV export from what was compared, e.g. "compare-sweep-lr.csv". */
function csvFileName(groups: readonly string[] | undefined, runCount: number): string {
  const stem = groups && groups.length > 0 ? groups.join('+') : `${runCount}-runs`;
  return `compare-${stem.replace(/[^\w.+-]+/g, '_').slice(0, 80)}.csv`;
}

/** LOUPE_BASELINE_STEPS (demos, e2e) shortens the bundled recipe here as it does the one-click baseline. */
function recipeSteps(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const n = Number(env['LOUPE_BASELINE_STEPS'] ?? '');
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export function ablationHandlers(services: Services): AblationHandlers {
  const ablation = services.ablation;
  return {
    'ablation.baseConfig': guard((p) => ablation.baseConfig(p.runId, p.runId ? undefined : recipeSteps())),
    'ablation.review': guard((p) => ablation.review(p)),
    'ablation.sweep': guard((p) => ablation.sweep(p)),
    'ablation.groups': guard((p) => ablation.groups(p)),
    'ablation.compare': guard((p) => ablation.compare(p)),
    'ablation.compareCsv': guard((p) => {
      const { table, runs } = ablation.compare({ ...p, curveKeys: [] });
      return { csv: compareTableToCsv(table), fileName: csvFileName(p.groups, runs.length) };
    }),
  };
}
