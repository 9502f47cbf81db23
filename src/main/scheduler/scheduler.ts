// The training queue: runs wait for one of `concurrency` slots, train in an EngineWorker, and everything the
// worker reports is validated, stored (one transaction per message), fed to the monitor and emitted as events.
// A worker that crashes, runs out of memory or reports a failure ends only its own run.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { FromWorker } from '../../shared/worker-protocol.ts';
import type { RunConfig } from '../../shared/config.ts';
import type { RunStatus, RunSummary } from '../../shared/runs.ts';
import { fromWire, toWire, type MetricPoint } from '../../shared/metrics.ts';
import type { Store } from '../store/store.ts';
import { describeStorageError } from '../store/db.ts';
import { oneLine } from '../../shared/one-line.ts';
import { checkpointDir } from '../paths.ts';
import type { EngineWorker, EngineWorkerFactory, WorkerExit } from './engine-worker.ts';
import type { ServiceEvents } from './events.ts';
import { nonFiniteFailurePoints, type MonitorFactory, type RunMonitor } from '../monitor/index.ts';

export interface CommitInfo {
  runId: string;
  attempt: number;
  seq: number;
  points: readonly MetricPoint[];
}

export interface SchedulerOptions {
  store: Store;
  dataDir: string;
  events: ServiceEvents;
  createWorker: EngineWorkerFactory;
  monitorFactory: MonitorFactory | null;
  concurrency?: number;
  /** How long a worker may take to write its last checkpoint after 'stop' before it is terminated. */
  stopTimeoutMs?: number;
  /** Called after each metric batch is committed (LOUPE_DEBUG_COMMITS, crash-safety tests). */
  onCommit?: (info: CommitInfo) => void;
}

interface Active {
  runId: string;
  attempt: number;
  config: RunConfig;
  worker: EngineWorker;
  monitor: RunMonitor | null;
  /** Set once the run reached its final status for this attempt; later worker noise is ignored. */
  settled: boolean;
  stopRequested: 'stop' | 'pause' | null;
  stopTimer: NodeJS.Timeout | null;
  lastStep: number;
  /** The latest committed batch (does it already hold the non-finite step a failure names?). */
  lastPoints: readonly MetricPoint[];
  /** The worker reported 'started': its model is built and any checkpoint loaded. */
  started: boolean;
  before: PriorState | null;
}

/** Where a resumed run stood before it was queued again: a resume that fails before training puts it back there. */
interface PriorState {
  status: RunStatus;
  endedAt: number | null;
}

interface Queued {
  runId: string;
  attempt: number;
  resumeFrom: string | null;
  initFrom: string | null;
  before: PriorState | null;
}

export class Scheduler {
  private readonly queue: Queued[] = [];
  private readonly active = new Map<string, Active>();
  private readonly waiters = new Map<string, ((s: RunSummary) => void)[]>();
  private concurrency: number;
  private closed = false;

  constructor(private readonly opts: SchedulerOptions) {
    this.concurrency = Math.max(1, opts.concurrency ?? 1);
  }

  setConcurrency(n: number): void {
    this.concurrency = Math.max(1, Math.floor(n));
    this.pump();
  }

  isActive(runId: string): boolean {
    return this.active.has(runId) || this.queue.some((q) => q.runId === runId);
  }

  activeRunIds(): string[] {
    return [...this.active.keys(), ...this.queue.map((q) => q.runId)];
  }

  /**
   * Queues a run that the store already holds; resumeFrom is a checkpoint folder or null for a fresh start, and
   * initFrom the checkpoint a fresh start takes its weights from (init_from).
   */
  enqueue(runId: string, resumeFrom: string | null, initFrom: string | null = null): RunSummary {
    if (this.closed) throw new Error('the scheduler is shut down');
    const prior = this.opts.store.runs.require(runId);
    const before = prior.status === 'queued' ? null : { status: prior.status, endedAt: prior.endedAt };
    const attempt = this.opts.store.runs.enqueue(runId);
    this.queue.push({ runId, attempt, resumeFrom, initFrom, before });
    this.emitStatus(runId);
    this.pump();
    return this.opts.store.runs.require(runId);
  }

  /** Resolves with the run's summary once it is no longer queued or running. */
  waitForEnd(runId: string): Promise<RunSummary> {
    if (!this.isActive(runId)) return Promise.resolve(this.opts.store.runs.require(runId));
    return new Promise((resolve) => {
      const list = this.waiters.get(runId) ?? [];
      list.push(resolve);
      this.waiters.set(runId, list);
    });
  }

  /** Stop (checkpoint, then 'stopped') or pause (checkpoint, then 'paused'); a queued run just leaves the queue. */
  request(runId: string, kind: 'stop' | 'pause'): void {
    const qi = this.queue.findIndex((q) => q.runId === runId);
    if (qi >= 0) {
      this.queue.splice(qi, 1);
      this.opts.store.runs.setStatus(runId, kind === 'stop' ? 'stopped' : 'paused', null);
      this.settle(runId);
      return;
    }
    const a = this.active.get(runId);
    if (!a || a.settled || a.stopRequested) return;
    a.stopRequested = kind;
    a.worker.send({ type: kind });
    a.stopTimer = setTimeout(() => {
      // The worker did not answer in time: end it; the last checkpoint on disk is still the resume point.
      this.finish(a, kind === 'stop' ? 'stopped' : 'paused', `the training worker did not ${kind} in time and was terminated; resume continues from the last checkpoint`);
    }, this.opts.stopTimeoutMs ?? 120_000);
  }

  /** Stops every run (queued ones leave the queue), waiting for their last checkpoints. */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (const q of [...this.queue]) this.request(q.runId, 'stop');
    const ends = [...this.active.keys()].map((id) => {
      const p = this.waitForEnd(id);
      this.request(id, 'stop');
      return p;
    });
    await Promise.all(ends);
  }

  private pump(): void {
    while (!this.closed && this.active.size < this.concurrency && this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.launch(next);
    }
  }

  private launch(q: Queued): void {
    const { store, dataDir } = this.opts;
    let config: RunConfig;
    let worker: EngineWorker;
    try {
      config = store.runs.config(q.runId);
      worker = this.opts.createWorker({ runId: q.runId, backend: config.backend });
    } catch (e) {
      this.setEndStatus(q.runId, q.before, 'failed', `could not start the training worker: ${oneLine(e)}`);
      this.settle(q.runId);
      return;
    }
    const a: Active = {
      runId: q.runId,
      attempt: q.attempt,
      config,
      worker,
      monitor: this.opts.monitorFactory ? this.opts.monitorFactory(config) : null,
      settled: false,
      stopRequested: null,
      stopTimer: null,
      lastStep: 0,
      lastPoints: [],
      started: false,
      before: q.before,
    };
    this.active.set(q.runId, a);
    worker.onMessage((raw) => this.onMessage(a, raw));
    worker.onExit((exit) => this.onExit(a, exit));
    // Runs training side by side share the cores their data-parallel workers may take.
    const cores = Math.max(1, Math.floor(os.availableParallelism() / this.concurrency));
    worker.send({ type: 'start', runId: q.runId, config, checkpointDir: checkpointDir(dataDir, q.runId), resumeFrom: q.resumeFrom, initFrom: q.initFrom, cores });
  }

  private onMessage(a: Active, raw: unknown): void {
    if (a.settled) return;
    const parsed = FromWorker.safeParse(raw);
    if (!parsed.success) {
      this.log(a.runId, 'warn', `ignored a malformed message from the training worker: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    const msg = parsed.data;
    try {
      switch (msg.type) {
        case 'started':
          this.opts.store.runs.markRunning(a.runId, msg);
          a.started = true;
          a.lastStep = msg.startStep;
          if (a.monitor && msg.startStep > 0) this.warmMonitor(a, msg.startStep);
          this.emitStatus(a.runId);
          this.log(a.runId, 'info', `training on ${msg.backend} (${msg.backendReason}); ${msg.params} parameters; from step ${msg.startStep}`);
          break;
        case 'metrics':
          this.onMetrics(a, msg.seq, msg.points.map((p) => ({ step: p.step, key: p.key, value: fromWire(p.value) })));
          break;
        case 'condensation':
          this.opts.store.condensation.insert(a.runId, msg.step, msg.stats);
          break;
        case 'checkpoint':
          this.opts.store.checkpoints.add(a.runId, { step: msg.step, path: msg.path, sha256: msg.sha256, bytes: msg.bytes, valLoss: msg.valLoss });
          this.prune(a);
          break;
        case 'log':
          this.log(a.runId, msg.level, msg.message);
          break;
        case 'done':
          this.finish(a, msg.status, msg.status === 'finished' ? null : msg.reason);
          break;
        case 'error':
          if (msg.nonFinite && msg.step !== null) this.pauseNonFinite(a, msg.step, msg.message);
          else this.finish(a, 'failed', msg.step !== null ? `${msg.message} (step ${msg.step})` : msg.message);
          break;
      }
    } catch (e) {
      // Storage failed (disk full, DB gone): stop training rather than compute results that cannot be kept.
      const err = describeStorageError(e, this.opts.store.file);
      const message = err ? err.message : `internal error handling a ${msg.type} message: ${oneLine(e)}`;
      this.log(a.runId, 'error', message);
      try {
        this.finish(a, 'failed', message);
      } catch {
        a.settled = true;
        void a.worker.terminate();
        this.active.delete(a.runId);
        this.resolveWaiters(a.runId);
        this.pump();
      }
    }
  }

  private onMetrics(a: Active, seq: number, points: MetricPoint[]): void {
    this.opts.store.metrics.insert(a.runId, a.attempt, seq, points);
    a.lastPoints = points;
    for (const p of points) if (p.step > a.lastStep) a.lastStep = p.step;
    this.opts.onCommit?.({ runId: a.runId, attempt: a.attempt, seq, points });
    this.opts.events.emit('run.metrics', { runId: a.runId, points: points.map((p) => ({ step: p.step, key: p.key, value: toWire(p.value) })) });
    if (a.monitor) this.storeAlerts(a.runId, a.monitor.observe(points));
  }

  /**
   * A non-finite loss or gradient (DESIGN.md §5) pauses the run at its last good checkpoint, resumable once the
   * recipe is fixed; the failing value is stored so the monitor raises the error alert from stored evidence.
   */
  private pauseNonFinite(a: Active, step: number, message: string): void {
    const points = nonFiniteFailurePoints(step, message, a.lastPoints);
    if (points.length) this.onMetrics(a, -1, points);
    const ckpt = this.opts.store.checkpoints.latest(a.runId);
    const where = ckpt ? `paused at its last good checkpoint (step ${ckpt.step})` : 'paused before its first checkpoint (resume restarts from step 0)';
    this.finish(a, 'paused', `${message} (step ${step}); ${where}`);
  }

  /** Applies checkpoint.keep; only folders inside this run's checkpoint folder are ever removed. */
  private prune(a: Active): void {
    const root = path.resolve(checkpointDir(this.opts.dataDir, a.runId)) + path.sep;
    for (const c of this.opts.store.checkpoints.toPrune(a.runId, a.config.checkpoint.keep)) {
      const dir = path.resolve(c.path);
      if (!dir.startsWith(root)) continue;
      try {
        fs.rmSync(dir, { recursive: true, force: true });
        this.opts.store.checkpoints.markPruned(a.runId, c.step);
      } catch (e) {
        this.log(a.runId, 'warn', `could not remove old checkpoint ${dir}: ${oneLine(e)}`);
      }
    }
  }

  /** A resumed run's monitor sees the stored history first, so windows and medians continue seamlessly. */
  private warmMonitor(a: Active, upToStep: number): void {
    const history: MetricPoint[] = [];
    for (const p of this.opts.store.metrics.points(a.runId)) if (p.step <= upToStep) history.push(p);
    this.storeAlerts(a.runId, a.monitor!.observe(history));
  }

  private storeAlerts(runId: string, alerts: ReturnType<RunMonitor['observe']>): void {
    if (alerts.length === 0) return;
    for (const alert of this.opts.store.alerts.upsert(runId, alerts)) this.opts.events.emit('run.alert', { runId, alert });
  }

  private onExit(a: Active, exit: WorkerExit): void {
    if (a.settled) return;
    const why =
      exit.error?.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? 'the training worker ran out of memory'
        : exit.error
          ? `the training worker crashed: ${oneLine(exit.error)}`
          : `the training worker exited unexpectedly (code ${exit.code})`;
    this.finish(a, 'crashed', `${why}; resume continues from the last checkpoint`);
  }

  private finish(a: Active, status: RunStatus, error: string | null): void {
    if (a.settled) return;
    a.settled = true;
    if (a.stopTimer) clearTimeout(a.stopTimer);
    this.active.delete(a.runId);
    void a.worker.terminate().catch(() => {});
    try {
      // A resumed attempt that ended short of where a killed one had got: those later points belong to no attempt now.
      if (a.started && (status === 'stopped' || status === 'paused' || status === 'finished')) {
        this.opts.store.metrics.supersedeAfter(a.runId, this.opts.store.runs.require(a.runId).steps);
      }
      this.setEndStatus(a.runId, a.started ? null : a.before, status, error);
    } finally {
      if (status === 'failed' || status === 'crashed') this.log(a.runId, 'error', error ?? status);
      this.settle(a.runId);
      this.pump();
    }
  }

  /**
   * A resume that fails before training starts (a checkpoint that does not load, a worker that cannot start) leaves
   * the run as it was, stopped or paused, with the reason; every other end is stored as it is.
   */
  private setEndStatus(runId: string, before: PriorState | null, status: RunStatus, error: string | null): void {
    if (before && (status === 'failed' || status === 'crashed')) {
      this.opts.store.runs.setStatus(runId, before.status, `resume failed: ${error ?? status}`, before.endedAt ?? Date.now());
    } else {
      this.opts.store.runs.setStatus(runId, status, error);
    }
  }

  private settle(runId: string): void {
    this.emitStatus(runId);
    this.resolveWaiters(runId);
  }

  private resolveWaiters(runId: string): void {
    const list = this.waiters.get(runId);
    if (!list || this.isActive(runId)) return;
    this.waiters.delete(runId);
    let summary: RunSummary;
    try {
      summary = this.opts.store.runs.require(runId);
    } catch {
      return;
    }
    for (const resolve of list) resolve(summary);
  }

  private emitStatus(runId: string): void {
    const run = this.opts.store.runs.get(runId);
    if (run) this.opts.events.emit('run.status', { run });
  }

  private log(runId: string, level: 'info' | 'warn' | 'error', message: string): void {
    this.opts.events.emit('run.log', { runId, level, message });
  }
}
