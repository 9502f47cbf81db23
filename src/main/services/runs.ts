// The run services: start, stop, pause, resume, organise, delete and read runs. They own the rules (who may
// stop a run another process trains, which statuses resume); the store only keeps rows, the scheduler trains.
import type { RunSummary } from '../../shared/runs.ts';
import type { RunConfig } from '../../shared/config.ts';
import { isActive, isResumable, resumableStatuses } from '../../shared/runs.ts';
import type { Alert } from '../../shared/alerts.ts';
import { toWire } from '../../shared/metrics.ts';
import type { CheckpointInfo, RunDetail, Series } from '../../shared/api/runs.ts';
import type { Store } from '../store/store.ts';
import { StoreError } from '../store/db.ts';
import type { Scheduler } from '../scheduler/scheduler.ts';
import type { ServiceEvents } from '../scheduler/events.ts';
import type { MonitorFactory } from '../monitor/index.ts';
import { ServiceError } from './errors.ts';
import { sourceConfig } from '../store/external-runs.ts';
import { readBaselineConfig, readFineTuneConfig, resolveWithOverrides, type Overrides } from './config-input.ts';
import { resolveInitFrom } from './init-from.ts';
import { resolveRunRef } from './run-ref.ts';
import { checkpointProblem } from './checkpoint-check.ts';
import { exportCsv, exportHf, type ExportOptions } from './exports.ts';
import type { CondensationHistory } from '../../shared/generation/condensation.ts';

export interface StartParams extends Overrides {
  config: unknown;
  hypothesis?: string;
  baselineId?: string;
  groupName?: string;
}

export interface RunServices {
  list(opts?: { includeArchived?: boolean }): RunSummary[];
  /** Accepts an exact id, a unique prefix/suffix of one, a run name or a unique name prefix. */
  resolveId(idOrPrefix: string): string;
  /** The run's row as every client sees it. */
  summary(runId: string): RunSummary;
  get(runId: string): RunDetail;
  /** Checkpoints still on disk, oldest first. */
  checkpoints(runId: string): CheckpointInfo[];
  start(params: StartParams): RunSummary;
  startBaseline(params?: { steps?: number; scale?: number; seed?: number }): RunSummary;
  /** Fine-tunes a pretrained run (default: the newest finished one with the recipe's model) on the built-in set. */
  startFineTune(params?: { parentId?: string; steps?: number; seed?: number }): RunSummary;
  stop(runId: string): RunSummary;
  pause(runId: string): RunSummary;
  /**
   * Continues a run from its newest checkpoint that is whole (each skipped one is named in `skipped` and logged), or
   * from `fromStep`'s checkpoint; from the start when it never wrote one.
   */
  resume(runId: string, opts?: { fromStep?: number }): ResumeStart;
  update(runId: string, patch: { name?: string; notes?: string; hypothesis?: string }): RunSummary;
  archive(runId: string, archived: boolean): RunSummary;
  /** Permanently deletes an archived, inactive run: its rows, then its folder (checkpoints). */
  delete(runId: string): { runId: string; deletedFiles: number };
  metrics(runId: string, keys?: string[], sinceStep?: number): Series[];
  alerts(runId: string): Alert[];
  /** Stored per-layer similarity histograms (condensation heatmap), by step then depth. */
  condensation(runId: string): CondensationHistory;
  /** Runs the detectors again over the stored metrics (nothing stored changes). */
  recomputeAlerts(runId: string): Alert[];
  waitForEnd(runId: string): Promise<RunSummary>;
  exportCsv(runId: string, file: string, opts?: ExportOptions): { rows: number; columns: string[] };
  exportHf(runId: string, dir: string, opts?: ExportOptions): { dir: string; step: number; files: string[] };
}

export interface ResumeStart {
  run: RunSummary;
  /** The checkpoint training continues from; null: from step 0 (no checkpoint was written). */
  from: CheckpointInfo | null;
  /** Newer checkpoints passed over because they are missing or damaged, one line each. */
  skipped: string[];
}

export interface RunServicesDeps {
  store: Store;
  scheduler: Scheduler;
  events: ServiceEvents;
  dataDir: string;
  monitorFactory: MonitorFactory | null;
}

export function createRunServices({ store, scheduler, events, dataDir, monitorFactory }: RunServicesDeps): RunServices {
  // An id is looked up directly; anything else (a name, a prefix) against every run.
  const id = (ref: string): string => (store.runs.get(ref) ? ref : resolveRunRef(ref, store.runs.list({ includeArchived: true })));

  const start = (p: StartParams): RunSummary => {
    const resolved = resolveWithOverrides(p.config, { name: p.name, steps: p.steps, scale: p.scale, seed: p.seed });
    const baselineId = p.baselineId ? id(p.baselineId) : null;
    // Checked before the row exists: a source that does not fit is the user's input being wrong, not a failed run.
    const init = resolved.init_from ? resolveInitFrom(store, resolved.init_from, resolved) : null;
    const config = init ? { ...resolved, init_from: init.ref } : resolved;
    const run = store.runs.create({ name: config.name, hypothesis: p.hypothesis ?? null, config, baselineId, groupName: p.groupName ?? null });
    return scheduler.enqueue(run.id, null, init?.path ?? null);
  };

  // Another process (a killed CLI) may leave runs 'running' while this one stays open: look again now and then.
  let lastRecover = Date.now();
  const recoverOrphans = (force = false): void => {
    if (!force && Date.now() - lastRecover < 5000) return;
    lastRecover = Date.now();
    for (const rid of store.runs.recoverOrphans()) {
      const run = store.runs.get(rid);
      if (run) events.emit('run.status', { run });
    }
  };

  /** Another Loupe process (the CLI, the app) owns this run's worker: only that process can stop it. */
  const notDrivenElsewhere = (rid: string): void => {
    const pid = store.runs.ownerPid(rid);
    const { status } = store.runs.require(rid);
    if (pid !== null && pid !== process.pid && isActive(status)) {
      throw new ServiceError('conflict', `run ${rid} is being trained by another Loupe process (pid ${pid}); stop it there`);
    }
  };

  /** The newest finished pretraining run (no init_from, text data) whose model and tokenizer the recipe can load. */
  const newestPretrained = (recipe: RunConfig): string | null => {
    const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
    for (const r of [...store.runs.list({})].sort((a, b) => b.createdAt - a.createdAt)) {
      if (r.status !== 'finished') continue;
      const c = store.runs.config(r.id);
      if (c.init_from || c.data.format === 'sft' || c.data.corpus.endsWith('.jsonl') || c.data.corpus === 'sft-builtin') continue;
      const { dropout: _a, ...m1 } = c.model;
      const { dropout: _b, ...m2 } = recipe.model;
      if (same(m1, m2) && c.data.tokenizer === recipe.data.tokenizer && store.checkpoints.list(r.id).length > 0) return r.id;
    }
    return null;
  };

  /** The checkpoint a resume continues from; throws (nothing changes) when the one asked for, or all, are unusable. */
  const resumePoint = (rid: string, fromStep: number | undefined): { from: CheckpointInfo | null; skipped: string[] } => {
    const all = store.checkpoints.list(rid);
    if (fromStep !== undefined) {
      const c = all.find((x) => x.step === fromStep);
      if (!c) {
        const steps = all.map((x) => x.step);
        throw new ServiceError('not_found', `run ${rid} has no checkpoint at step ${fromStep}${steps.length ? ` (it has ${steps.slice(-12).join(', ')})` : ' (it has none)'}`);
      }
      const problem = checkpointProblem(c);
      if (problem) throw new ServiceError('conflict', `run ${rid}: ${problem}; resume from another step with --from`);
      return { from: c, skipped: [] };
    }
    const skipped: string[] = [];
    for (const c of [...all].reverse()) {
      const problem = checkpointProblem(c);
      if (!problem) return { from: c, skipped };
      skipped.push(problem);
    }
    if (all.length === 0) return { from: null, skipped };
    throw new ServiceError('conflict', `run ${rid} has no usable checkpoint: ${skipped.join('; ')}`);
  };

  return {
    list(o = {}) {
      recoverOrphans();
      return store.runs.list(o);
    },
    resolveId: id,
    summary: (runId) => store.runs.require(id(runId)),
    get(runId) {
      const rid = id(runId);
      return {
        run: store.runs.require(rid),
        config: store.runs.config(rid),
        checkpoints: store.checkpoints.list(rid),
        alerts: store.alerts.list(rid),
        metricKeys: store.metrics.keys(rid),
        sourceConfig: sourceConfig(store, rid),
      };
    },
    checkpoints: (runId) => store.checkpoints.list(id(runId)),
    start,
    startBaseline: (p = {}) => start({ config: readBaselineConfig(), steps: p.steps, scale: p.scale, seed: p.seed }),
    startFineTune(p = {}) {
      const recipe = resolveWithOverrides(readFineTuneConfig(), { steps: p.steps, seed: p.seed });
      const parent = p.parentId ? id(p.parentId) : newestPretrained(recipe);
      if (!parent) {
        throw new ServiceError('bad_request', 'no finished pretraining run with the fine-tuning recipe\'s model to start from: run the baseline first');
      }
      const config = { ...(readFineTuneConfig() as Record<string, unknown>), init_from: parent };
      return start({ config, steps: p.steps, seed: p.seed, hypothesis: `fine-tune ${parent} on the built-in question–answer set` });
    },
    stop(runId) {
      const rid = id(runId);
      const ext = store.runs.require(rid).external;
      if (ext) throw new ServiceError('conflict', `run ${rid} follows ${ext.path}; stop the job that writes it, or stop watching it`);
      if (scheduler.isActive(rid)) scheduler.request(rid, 'stop');
      else notDrivenElsewhere(rid);
      return store.runs.require(rid);
    },
    pause(runId) {
      const rid = id(runId);
      if (!scheduler.isActive(rid)) {
        notDrivenElsewhere(rid);
        throw new ServiceError('conflict', `run ${rid} is not running`);
      }
      scheduler.request(rid, 'pause');
      return store.runs.require(rid);
    },
    resume(runId, opts = {}) {
      const rid = id(runId);
      recoverOrphans(true);
      const run = store.runs.require(rid);
      if (run.external) throw new ServiceError('conflict', `run ${rid} was not trained by Loupe (${run.external.kind} ${run.external.path}); to follow it again, watch that file`);
      if (!scheduler.isActive(rid)) notDrivenElsewhere(rid);
      if (scheduler.isActive(rid) || isActive(run.status)) {
        throw new ServiceError('conflict', `run ${rid} is already ${run.status}`);
      }
      if (!isResumable(run.status)) throw new ServiceError('conflict', `run ${rid} is ${run.status}; only ${resumableStatuses.join(', ')} runs can be resumed`);
      const { from, skipped } = resumePoint(rid, opts.fromStep);
      for (const line of skipped) events.emit('run.log', { runId: rid, level: 'warn', message: `skipping a checkpoint: ${line}` });
      // A fine-tune stopped before its first checkpoint starts over from its parent's weights.
      const config = store.runs.config(rid);
      const init = !from && config.init_from ? resolveInitFrom(store, config.init_from, config) : null;
      return { run: scheduler.enqueue(rid, from ? from.path : null, init?.path ?? null), from, skipped };
    },
    update: (runId, patch) => store.runs.patch(id(runId), patch),
    archive(runId, archived) {
      const rid = id(runId);
      if (archived) {
        recoverOrphans(true);
        const { status } = store.runs.require(rid);
        // Here or in another process (the CLI, the app): a run still training is stopped first, never hidden.
        if (scheduler.isActive(rid) || isActive(status)) {
          throw new ServiceError('conflict', `run ${rid} is ${status}; stop it before archiving it`);
        }
      }
      return store.runs.patch(rid, { archived });
    },
    delete(runId) {
      const rid = id(runId);
      recoverOrphans(true);
      if (scheduler.isActive(rid)) throw new ServiceError('conflict', `run ${rid} is ${store.runs.require(rid).status}; stop it before deleting it`);
      notDrivenElsewhere(rid);
      try {
        const { deletedFiles } = store.runs.delete(rid, dataDir);
        return { runId: rid, deletedFiles };
      } catch (e) {
        if (e instanceof StoreError && (e.code === 'conflict' || e.code === 'not_found')) throw new ServiceError(e.code, e.message);
        throw e;
      }
    },
    metrics(runId, keys, sinceStep) {
      return store.metrics.series(id(runId), keys, sinceStep ?? 0).map((s) => ({ key: s.key, steps: s.steps, values: s.values.map(toWire) }));
    },
    alerts: (runId) => store.alerts.list(id(runId)),
    condensation: (runId) => store.condensation.history(id(runId)),
    recomputeAlerts(runId) {
      const rid = id(runId);
      if (!monitorFactory) throw new ServiceError('unavailable', 'alert detection is not available in this build');
      return monitorFactory(store.runs.config(rid)).recompute([...store.metrics.points(rid)]).map((a) => ({ ...a, runId: rid }));
    },
    waitForEnd: (runId) => scheduler.waitForEnd(id(runId)),
    exportCsv: (runId, file, o) => exportCsv(store, id(runId), file, o),
    exportHf: (runId, dir, o) => exportHf(store, id(runId), dir, o),
  };
}
