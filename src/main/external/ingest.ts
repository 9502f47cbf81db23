// Writes a run from elsewhere into the store exactly as the scheduler writes Loupe's own: one transaction per
// batch, the same alert monitor fed in step order, the same events. A step that goes backwards is a restart from a
// checkpoint: the monitor restarts from the stored history before it, and values logged over are kept as superseded.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RunConfig } from '../../shared/config.ts';
import type { RunStatus, RunSummary } from '../../shared/runs.ts';
import { toWire, type MetricPoint } from '../../shared/metrics.ts';
import type { Store } from '../store/store.ts';
import type { ServiceEvents } from '../scheduler/events.ts';
import type { MonitorFactory, RunMonitor } from '../monitor/index.ts';
import { markExternalRunning, setPlannedSteps, setStale } from '../store/external-runs.ts';

export interface IngestDeps {
  store: Store;
  events: ServiceEvents;
  monitorFactory: MonitorFactory | null;
}

export class ExternalRunWriter {
  private attempt: number;
  private seq = 0;
  private monitor: RunMonitor | null;
  private readonly lastStep = new Map<string, number>();
  private maxStep = 0;
  private pending: MetricPoint[] = [];
  private ended = false;
  private staleSince: number | null = null;

  constructor(
    private readonly deps: IngestDeps,
    readonly runId: string,
    private readonly config: RunConfig,
  ) {
    this.attempt = markExternalRunning(deps.store, runId);
    this.monitor = deps.monitorFactory ? deps.monitorFactory(config) : null;
    this.emitStatus();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Queues points; a step lower than one already seen for its key first commits what is queued, then restarts. */
  add(points: readonly MetricPoint[]): void {
    for (const p of points) {
      const last = this.lastStep.get(p.key);
      if (last !== undefined && p.step < last) this.restartAt(p.step);
      this.lastStep.set(p.key, p.step);
      if (p.step > this.maxStep) this.maxStep = p.step;
      this.pending.push(p);
    }
  }

  /** Commits the queued points as one batch (one transaction), feeds the monitor, emits them. */
  flush(): void {
    if (this.pending.length === 0) return;
    const points = this.pending;
    this.pending = [];
    const { store, events } = this.deps;
    store.metrics.insert(this.runId, this.attempt, this.seq++, points);
    events.emit('run.metrics', { runId: this.runId, points: points.map((p) => ({ step: p.step, key: p.key, value: toWire(p.value) })) });
    if (this.monitor) this.storeAlerts(this.monitor.observe(points));
    if (this.maxStep > store.runs.require(this.runId).plannedSteps) setPlannedSteps(store, this.runId, this.maxStep);
  }

  private restartAt(step: number): void {
    this.flush();
    const from = this.maxStep;
    for (const [k, s] of this.lastStep) if (s >= step) this.lastStep.delete(k);
    this.maxStep = step;
    if (this.deps.monitorFactory) {
      // As for a resumed run: a fresh monitor that has seen the stored history up to the restart point.
      this.monitor = this.deps.monitorFactory(this.config);
      const history: MetricPoint[] = [];
      for (const p of this.deps.store.metrics.points(this.runId)) if (p.step < step) history.push(p);
      this.storeAlerts(this.monitor.observe(history));
    }
    this.log('info', `steps went back from ${from} to ${step}: a restart from a checkpoint; values logged again replace the stored ones, which are kept as superseded`);
  }

  /** An HF-layout folder the job wrote; the weights' hash and size are recorded when the file is there. */
  checkpoint(step: number, dir: string): void {
    this.flush();
    let sha256 = '';
    let bytes = 0;
    const weights = path.join(dir, 'model.safetensors');
    try {
      const data = fs.readFileSync(weights);
      sha256 = crypto.createHash('sha256').update(data).digest('hex');
      bytes = data.length;
    } catch {
      this.log('warn', `checkpoint at step ${step}: no readable ${weights}; recorded without a hash`);
    }
    this.deps.store.checkpoints.add(this.runId, { step, path: dir, sha256, bytes, valLoss: null });
    this.log('info', `checkpoint at step ${step}: ${dir}`);
  }

  /** Marks the run stale (its file stopped growing) or fresh again; only changes are stored and emitted. */
  setStale(stale: boolean, now = Date.now()): void {
    if (this.ended || stale === (this.staleSince !== null)) return;
    this.staleSince = stale ? now : null;
    setStale(this.deps.store, this.runId, this.staleSince);
    this.emitStatus();
    this.log(stale ? 'warn' : 'info', stale ? 'the run file stopped growing: marked stale' : 'the run file grows again');
  }

  /** The job was started again after its `end` line (resumed from a checkpoint): the run is running again. */
  reopen(): void {
    if (!this.ended) return;
    this.ended = false;
    this.attempt = markExternalRunning(this.deps.store, this.runId);
    this.seq = 0;
    this.emitStatus();
  }

  end(status: RunStatus, error: string | null): RunSummary {
    this.flush();
    if (!this.ended) {
      this.ended = true;
      setStale(this.deps.store, this.runId, null);
      this.deps.store.runs.setStatus(this.runId, status, error);
      this.emitStatus();
    }
    return this.deps.store.runs.require(this.runId);
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.deps.events.emit('run.log', { runId: this.runId, level, message });
  }

  private storeAlerts(alerts: ReturnType<RunMonitor['observe']>): void {
    if (alerts.length === 0) return;
    for (const alert of this.deps.store.alerts.upsert(this.runId, alerts)) this.deps.events.emit('run.alert', { runId: this.runId, alert });
  }

  private emitStatus(): void {
    const run = this.deps.store.runs.get(this.runId);
    if (run) this.deps.events.emit('run.status', { run });
  }
}
