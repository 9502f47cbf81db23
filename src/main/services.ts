// The run services both the app (through the API handlers) and the `loupe` CLI use: one store, one queue,
// one event stream. Nothing here knows about Electron, HTTP or terminals.
import path from 'node:path';
import type { RunSummary } from '../shared/runs.ts';
import type { Alert } from '../shared/alerts.ts';
import { toWire } from '../shared/metrics.ts';
import type { RunDetail, Series } from '../shared/api/runs.ts';
import { RunStore } from './store/run-store.ts';
import { StoreError } from './store/db.ts';
import { dbPath } from './paths.ts';
import { Scheduler, type CommitInfo } from './scheduler/scheduler.ts';
import { createEvents, type ServiceEvents } from './scheduler/events.ts';
import { isolatingWorkerFactory, type EngineWorkerFactory } from './scheduler/engine-worker.ts';
import type { MonitorFactory } from './scheduler/monitor-hook.ts';
import { ServiceError } from './services/errors.ts';
import { readBaselineConfig, resolveWithOverrides, type Overrides } from './services/config-input.ts';
import { exportCsv, exportHf } from './services/exports.ts';
import { createRunMonitor, monitorOptions } from './monitor/index.ts';
import { createAblationServices, type AblationServices } from './services/ablation.ts';
import { createSampleServices, type SampleServices } from './services/samples.ts';
import { resolveRunRef } from './services/run-ref.ts';

export { ServiceError } from './services/errors.ts';

export interface CreateServicesOptions {
  dataDir: string;
  /** Runs trained at the same time (default 1). */
  concurrency?: number;
  createWorker?: EngineWorkerFactory;
  /** null disables alert detection; default: src/main/monitor. */
  monitorFactory?: MonitorFactory | null;
  stopTimeoutMs?: number;
  onCommit?: (info: CommitInfo) => void;
}

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
  get(runId: string): RunDetail;
  start(params: StartParams): RunSummary;
  startBaseline(params?: { steps?: number; scale?: number; seed?: number }): RunSummary;
  stop(runId: string): RunSummary;
  pause(runId: string): RunSummary;
  resume(runId: string): RunSummary;
  update(runId: string, patch: { name?: string; notes?: string; hypothesis?: string }): RunSummary;
  archive(runId: string, archived: boolean): RunSummary;
  /** Permanently deletes an archived, inactive run: its rows, then its folder (checkpoints). */
  delete(runId: string): { runId: string; deletedFiles: number };
  metrics(runId: string, keys?: string[], sinceStep?: number): Series[];
  alerts(runId: string): Alert[];
  /** Runs the detectors again over the stored metrics (nothing stored changes). */
  recomputeAlerts(runId: string): Alert[];
  waitForEnd(runId: string): Promise<RunSummary>;
  exportCsv(runId: string, file: string): { rows: number; columns: string[] };
  exportHf(runId: string, dir: string): { dir: string; step: number; files: string[] };
}

export interface Services {
  dataDir: string;
  dbFile: string;
  store: RunStore;
  events: ServiceEvents;
  runs: RunServices;
  ablation: AblationServices;
  samples: SampleServices;
  /** Ids of runs marked crashed/stopped at open because the process driving them was gone. */
  recovered: string[];
  /** A consistent copy of the database while in use (SQLite backup API). */
  backup(file: string): Promise<void>;
  /** Stops running runs (each writes its last checkpoint), then closes the store. */
  close(): Promise<void>;
}

const resumable = new Set(['stopped', 'paused', 'crashed', 'failed']);

export async function createServices(opts: CreateServicesOptions): Promise<Services> {
  const dataDir = path.resolve(opts.dataDir);
  const dbFile = dbPath(dataDir);
  const store = RunStore.open(dbFile);
  const recovered = store.recoverOrphans();
  const events = createEvents();
  const monitorFactory: MonitorFactory | null = opts.monitorFactory === undefined ? createRunMonitor : opts.monitorFactory;
  const scheduler = new Scheduler({
    store,
    dataDir,
    events,
    createWorker: opts.createWorker ?? isolatingWorkerFactory(),
    monitorFactory,
    concurrency: opts.concurrency,
    stopTimeoutMs: opts.stopTimeoutMs,
    onCommit: opts.onCommit,
  });

  // An id is looked up directly; anything else (a name, a prefix) against every run.
  const id = (ref: string): string => (store.getSummary(ref) ? ref : resolveRunRef(ref, store.listRuns({ includeArchived: true })));

  const start = (p: StartParams): RunSummary => {
    const config = resolveWithOverrides(p.config, { name: p.name, steps: p.steps, scale: p.scale, seed: p.seed });
    const baselineId = p.baselineId ? id(p.baselineId) : null;
    const run = store.createRun({ name: config.name, hypothesis: p.hypothesis ?? null, config, baselineId, groupName: p.groupName ?? null });
    return scheduler.enqueue(run.id, null);
  };

  // Another process (a killed CLI) may leave runs 'running' while this one stays open: look again now and then.
  let lastRecover = Date.now();
  const recoverOrphans = (force = false): void => {
    if (!force && Date.now() - lastRecover < 5000) return;
    lastRecover = Date.now();
    for (const rid of store.recoverOrphans()) {
      const run = store.getSummary(rid);
      if (run) events.emit('run.status', { run });
    }
  };

  /** Another Loupe process (the CLI, the app) owns this run's worker: only that process can stop it. */
  const notDrivenElsewhere = (rid: string): void => {
    const pid = store.ownerPid(rid);
    const { status } = store.requireSummary(rid);
    if (pid !== null && pid !== process.pid && (status === 'running' || status === 'queued')) {
      throw new ServiceError('conflict', `run ${rid} is being trained by another Loupe process (pid ${pid}); stop it there`);
    }
  };

  const runs: RunServices = {
    list(o = {}) {
      recoverOrphans();
      return store.listRuns(o);
    },
    resolveId: id,
    get(runId) {
      const rid = id(runId);
      return {
        run: store.requireSummary(rid),
        config: store.getConfig(rid) as unknown as Record<string, unknown>,
        checkpoints: store.listCheckpoints(rid),
        alerts: store.listAlerts(rid),
        metricKeys: store.metricKeys(rid),
      };
    },
    start,
    startBaseline: (p = {}) => start({ config: readBaselineConfig(), steps: p.steps, scale: p.scale, seed: p.seed }),
    stop(runId) {
      const rid = id(runId);
      if (scheduler.isActive(rid)) scheduler.request(rid, 'stop');
      else notDrivenElsewhere(rid);
      return store.requireSummary(rid);
    },
    pause(runId) {
      const rid = id(runId);
      if (!scheduler.isActive(rid)) {
        notDrivenElsewhere(rid);
        throw new ServiceError('conflict', `run ${rid} is not running`);
      }
      scheduler.request(rid, 'pause');
      return store.requireSummary(rid);
    },
    resume(runId) {
      const rid = id(runId);
      recoverOrphans(true);
      const run = store.requireSummary(rid);
      if (!scheduler.isActive(rid)) notDrivenElsewhere(rid);
      if (scheduler.isActive(rid) || run.status === 'running' || run.status === 'queued') {
        throw new ServiceError('conflict', `run ${rid} is already ${run.status}`);
      }
      if (!resumable.has(run.status)) throw new ServiceError('conflict', `run ${rid} is ${run.status}; only stopped, paused, crashed or failed runs can be resumed`);
      const ckpt = store.latestCheckpoint(rid);
      return scheduler.enqueue(rid, ckpt ? ckpt.path : null);
    },
    update: (runId, patch) => store.patchRun(id(runId), patch),
    archive(runId, archived) {
      const rid = id(runId);
      if (archived) {
        recoverOrphans(true);
        const { status } = store.requireSummary(rid);
        // Here or in another process (the CLI, the app): a run still training is stopped first, never hidden.
        if (scheduler.isActive(rid) || status === 'running' || status === 'queued') {
          throw new ServiceError('conflict', `run ${rid} is ${status}; stop it before archiving it`);
        }
      }
      return store.patchRun(rid, { archived });
    },
    delete(runId) {
      const rid = id(runId);
      recoverOrphans(true);
      if (scheduler.isActive(rid)) throw new ServiceError('conflict', `run ${rid} is ${store.requireSummary(rid).status}; stop it before deleting it`);
      notDrivenElsewhere(rid);
      try {
        const { deletedFiles } = store.deleteRun(rid, dataDir);
        return { runId: rid, deletedFiles };
      } catch (e) {
        if (e instanceof StoreError && (e.code === 'conflict' || e.code === 'not_found')) throw new ServiceError(e.code, e.message);
        throw e;
      }
    },
    metrics(runId, keys, sinceStep) {
      return store.series(id(runId), keys, sinceStep ?? 0).map((s) => ({ key: s.key, steps: s.steps, values: s.values.map(toWire) }));
    },
    alerts: (runId) => store.listAlerts(id(runId)),
    recomputeAlerts(runId) {
      const rid = id(runId);
      if (!monitorFactory) throw new ServiceError('unavailable', 'alert detection is not available in this build');
      const config = store.getConfig(rid);
      const monitor = monitorFactory(config.alerts, monitorOptions(config));
      return monitor.recompute([...store.iteratePoints(rid)]).map((a) => ({ ...a, runId: rid }));
    },
    waitForEnd: (runId) => scheduler.waitForEnd(id(runId)),
    exportCsv: (runId, file) => exportCsv(store, id(runId), file),
    exportHf: (runId, dir) => exportHf(store, id(runId), dir),
  };

  const samples = createSampleServices({ store, events, dataDir });
  let closing: Promise<void> | null = null;
  return {
    dataDir,
    dbFile,
    store,
    events,
    runs,
    ablation: createAblationServices({ store, runs, events }),
    samples,
    recovered,
    backup: (file) => store.backup(file),
    close() {
      closing ??= Promise.all([scheduler.shutdown(), samples.close()]).then(() => undefined).finally(() => store.close());
      return closing;
    },
  };
}
