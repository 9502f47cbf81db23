// The run store: runs, full-resolution metrics, alerts, checkpoints, samples and datasets in one SQLite file.
// Every worker message is one transaction; summaries kept on the run row make the runs list cheap.
import crypto from 'node:crypto';
import path from 'node:path';
import type { RunConfig } from '../../shared/config.ts';
import type { RunStatus, RunSummary } from '../../shared/runs.ts';
import type { Alert } from '../../shared/alerts.ts';
import type { MetricPoint } from '../../shared/metrics.ts';
import { MetricKey } from '../../shared/metrics.ts';
import { openDatabase, StoreError, type Db, type OpenOptions } from './db.ts';
import { deleteRunRows, removeRunFolder, runFolder, type DeletedRows } from './run-delete.ts';

export interface NewRun {
  name: string;
  hypothesis?: string | null;
  config: RunConfig;
  baselineId?: string | null;
  groupName?: string | null;
  status?: RunStatus;
  ownerPid?: number | null;
}

export interface CheckpointRow {
  step: number;
  path: string;
  sha256: string;
  bytes: number;
  valLoss: number | null;
  createdAt: number;
}

export interface SampleRow {
  id: number;
  checkpointStep: number | null;
  prompt: string;
  settings: Record<string, unknown>;
  text: string;
  diagnostics: Record<string, unknown> | null;
  createdAt: number;
}

export interface StartedInfo {
  backend: string;
  backendReason: string;
  params: number;
  tokensPerUpdate: number;
}

export interface SeriesRows {
  key: string;
  steps: number[];
  /** NaN stays NaN here; callers encode it for the wire. */
  values: number[];
}

export interface RunPatch {
  name?: string;
  notes?: string;
  hypothesis?: string;
  archived?: boolean;
}

interface RunRow {
  id: string;
  name: string;
  hypothesis: string | null;
  notes: string | null;
  config: string;
  config_hash: string;
  baseline_id: string | null;
  group_name: string | null;
  seed: number;
  status: RunStatus;
  backend: string | null;
  backend_reason: string | null;
  params: number | null;
  tokens_per_update: number | null;
  planned_steps: number;
  steps: number;
  tokens_seen: number;
  last_train_loss: number | null;
  last_val_loss: number | null;
  best_val_loss: number | null;
  last_val_step: number | null;
  best_val_step: number | null;
  tokens_per_s: number | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  error: string | null;
  archived: number;
  attempts: number;
  owner_pid: number | null;
  alert_count: number;
  warning_count: number;
}

const activeStatuses: readonly RunStatus[] = ['queued', 'running'];

/** A process is alive if signal 0 reaches it (EPERM: alive, owned by someone else). */
export function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Canonical JSON (sorted keys) so equal configs hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function configHash(config: RunConfig): string {
  return crypto.createHash('sha256').update(canonicalJson(config)).digest('hex');
}

/** Sortable, readable and short enough to type: 261122-090312-a1b2. */
export function newRunId(now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${p(now.getUTCFullYear() % 100)}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${crypto.randomBytes(2).toString('hex')}`;
}

export class RunStore {
  private readonly keyIds = new Map<string, number>();
  private readonly stmts;

  constructor(
    readonly db: Db,
    readonly file: string,
  ) {
    this.stmts = {
      insertMetric: db.prepare(
        'INSERT INTO metrics(run_id, key_id, step, value) VALUES (?, ?, ?, ?) ON CONFLICT(run_id, key_id, step) DO UPDATE SET value = excluded.value',
      ),
      insertKey: db.prepare('INSERT OR IGNORE INTO metric_keys(key) VALUES (?)'),
      selectKey: db.prepare('SELECT id FROM metric_keys WHERE key = ?').pluck(),
      insertBatch: db.prepare(
        'INSERT OR REPLACE INTO metric_batches(run_id, attempt, seq, first_step, last_step, points, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      summary: db.prepare(`${summarySelect} WHERE r.id = ?`),
      series: db.prepare('SELECT step, value FROM metrics WHERE run_id = ? AND key_id = ? AND step >= ? ORDER BY step').raw(),
    };
  }

  static open(file: string, opts: OpenOptions = {}): RunStore {
    return new RunStore(openDatabase(file, opts), file);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Runs left active by a process that is gone: running → crashed (resumable from the last checkpoint),
   * queued → stopped. Returns the ids it changed.
   */
  recoverOrphans(isAlive: (pid: number) => boolean = pidAlive): string[] {
    const rows = this.db
      .prepare(`SELECT id, status, owner_pid FROM runs WHERE status IN (${activeStatuses.map(() => '?').join(',')})`)
      .all(...activeStatuses) as { id: string; status: RunStatus; owner_pid: number | null }[];
    const changed: string[] = [];
    const now = Date.now();
    this.db.transaction(() => {
      for (const r of rows) {
        if (r.owner_pid != null && isAlive(r.owner_pid)) continue;
        if (r.status === 'running') {
          this.db
            .prepare("UPDATE runs SET status = 'crashed', ended_at = ?, owner_pid = NULL, error = coalesce(error, ?) WHERE id = ?")
            .run(now, 'the process training this run exited without finishing it (killed or crashed); resume continues from the last checkpoint', r.id);
        } else {
          this.db
            .prepare("UPDATE runs SET status = 'stopped', owner_pid = NULL, error = coalesce(error, ?) WHERE id = ?")
            .run('the process that queued this run exited before it started', r.id);
        }
        changed.push(r.id);
      }
    }).immediate();
    return changed;
  }

  createRun(r: NewRun, now = Date.now()): RunSummary {
    const id = newRunId(new Date(now));
    this.db
      .prepare(
        `INSERT INTO runs(id, name, hypothesis, config, config_hash, baseline_id, group_name, seed, status, planned_steps, created_at, owner_pid)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        r.name,
        r.hypothesis ?? null,
        JSON.stringify(r.config),
        configHash(r.config),
        r.baselineId ?? null,
        r.groupName ?? null,
        r.config.seed,
        r.status ?? 'queued',
        r.config.train.steps,
        now,
        r.ownerPid ?? null,
      );
    return this.getSummary(id)!;
  }

  getSummary(id: string): RunSummary | null {
    const row = this.stmts.summary.get(id) as RunRow | undefined;
    return row ? toSummary(row) : null;
  }

  requireSummary(id: string): RunSummary {
    const s = this.getSummary(id);
    if (!s) throw new StoreError(`no run with id "${id}"`, 'not_found');
    return s;
  }

  listRuns(opts: { includeArchived?: boolean } = {}): RunSummary[] {
    const where = opts.includeArchived ? '' : 'WHERE r.archived = 0';
    return (this.db.prepare(`${summarySelect} ${where} ORDER BY r.created_at DESC, r.id DESC`).all() as RunRow[]).map(toSummary);
  }

  /** An exact id, or a unique id prefix (so users can type the short random tail or the start). */
  resolveRunId(idOrPrefix: string): string {
    const exact = this.db.prepare('SELECT id FROM runs WHERE id = ?').pluck().get(idOrPrefix) as string | undefined;
    if (exact) return exact;
    const like = idOrPrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
    const ids = this.db
      .prepare("SELECT id FROM runs WHERE id LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\' LIMIT 3")
      .pluck()
      .all(`${like}%`, `%-${like}`) as string[];
    if (ids.length === 1) return ids[0];
    if (ids.length > 1) throw new StoreError(`run id "${idOrPrefix}" is ambiguous (${ids.join(', ')}...)`, 'not_found');
    throw new StoreError(`no run with id "${idOrPrefix}"`, 'not_found');
  }

  /** The process driving a queued or running run, if any. */
  ownerPid(id: string): number | null {
    return (this.db.prepare('SELECT owner_pid FROM runs WHERE id = ?').pluck().get(id) as number | null | undefined) ?? null;
  }

  getConfig(id: string): RunConfig {
    const json = this.db.prepare('SELECT config FROM runs WHERE id = ?').pluck().get(id) as string | undefined;
    if (json === undefined) throw new StoreError(`no run with id "${id}"`, 'not_found');
    return JSON.parse(json) as RunConfig;
  }

  patchRun(id: string, patch: RunPatch): RunSummary {
    this.requireSummary(id);
    const sets: string[] = [];
    const vals: (string | number)[] = [];
    const set = (column: string, value: string | number | undefined): void => {
      if (value === undefined) return;
      sets.push(`${column} = ?`);
      vals.push(value);
    };
    set('name', patch.name);
    set('notes', patch.notes);
    set('hypothesis', patch.hypothesis);
    set('archived', patch.archived === undefined ? undefined : patch.archived ? 1 : 0);
    if (sets.length) this.db.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?`).run(...vals, id);
    return this.requireSummary(id);
  }

  /**
   * Permanently deletes an archived, inactive run: its rows in one transaction (other runs naming it as baseline keep
   * theirs, unlinked), then, once committed, its folder runs/<id>/ (checkpoints). Throws StoreError 'conflict' otherwise.
   */
  deleteRun(id: string, dataDir = path.dirname(this.file)): DeletedRows & { runId: string; deletedFiles: number } {
    const folder = runFolder(dataDir, id);
    const rows = deleteRunRows(this.db, id);
    return { runId: id, ...rows, deletedFiles: removeRunFolder(folder, id) };
  }

  /** Queues a run (again) for this process; returns the new attempt number. */
  enqueue(id: string, ownerPid = process.pid): number {
    return this.db.transaction(() => {
      this.db
        .prepare("UPDATE runs SET status = 'queued', owner_pid = ?, error = NULL, ended_at = NULL, attempts = attempts + 1 WHERE id = ?")
        .run(ownerPid, id);
      return this.db.prepare('SELECT attempts FROM runs WHERE id = ?').pluck().get(id) as number;
    }).immediate();
  }

  markRunning(id: string, info: StartedInfo, now = Date.now()): void {
    this.db
      .prepare(
        `UPDATE runs SET status = 'running', backend = ?, backend_reason = ?, params = ?, tokens_per_update = ?,
         started_at = coalesce(started_at, ?) WHERE id = ?`,
      )
      .run(info.backend, info.backendReason, info.params, info.tokensPerUpdate, now, id);
  }

  /** Ends (or pauses) a run; the owner is cleared so the next open does not mistake it for an orphan. */
  setStatus(id: string, status: RunStatus, error: string | null = null, now = Date.now()): void {
    const ended = status === 'queued' || status === 'running' ? null : now;
    const owner = status === 'queued' || status === 'running' ? process.pid : null;
    this.db.prepare('UPDATE runs SET status = ?, error = ?, ended_at = ?, owner_pid = ? WHERE id = ?').run(status, error, ended, owner, id);
  }

  private keyId(key: string): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      this.stmts.insertKey.run(key);
      id = this.stmts.selectKey.get(key) as number;
      this.keyIds.set(key, id);
    }
    return id;
  }

  /** One worker message = one transaction: the points, the run's summary columns and the batch record. */
  insertMetrics(runId: string, attempt: number, seq: number, points: readonly MetricPoint[], now = Date.now()): void {
    if (points.length === 0) return;
    this.db.transaction(() => {
      let first = Infinity;
      let last = -Infinity;
      const latest = new Map<string, { step: number; value: number }>();
      let bestVal = Infinity;
      let bestStep: number | null = null;
      for (const p of points) {
        this.stmts.insertMetric.run(runId, this.keyId(p.key), p.step, Number.isNaN(p.value) ? null : p.value);
        if (p.step < first) first = p.step;
        if (p.step > last) last = p.step;
        const prev = latest.get(p.key);
        if (!prev || p.step >= prev.step) latest.set(p.key, { step: p.step, value: p.value });
        // The eval at step 0 measures the initialisation: reported (with its step) as the latest val, never as the best.
        if (p.key === MetricKey.valLoss && p.step > 0 && Number.isFinite(p.value) && p.value < bestVal) {
          bestVal = p.value;
          bestStep = p.step;
        }
      }
      const v = (k: string): number | null => {
        const x = latest.get(k);
        return x === undefined ? null : Number.isNaN(x.value) ? null : x.value;
      };
      const best = Number.isFinite(bestVal) ? bestVal : null;
      const lastVal = latest.get(MetricKey.valLoss);
      const lastValStep = lastVal && !Number.isNaN(lastVal.value) ? lastVal.step : null;
      this.db
        .prepare(
          `UPDATE runs SET steps = ?,
             last_train_loss = coalesce(?, last_train_loss), last_val_loss = coalesce(?, last_val_loss),
             last_val_step = coalesce(?, last_val_step),
             best_val_step = CASE WHEN ? IS NULL THEN best_val_step WHEN best_val_loss IS NULL OR ? < best_val_loss THEN ? ELSE best_val_step END,
             best_val_loss = CASE WHEN ? IS NULL THEN best_val_loss WHEN best_val_loss IS NULL OR ? < best_val_loss THEN ? ELSE best_val_loss END,
             tokens_per_s = coalesce(?, tokens_per_s), tokens_seen = coalesce(?, tokens_seen)
           WHERE id = ?`,
        )
        .run(
          last,
          v(MetricKey.trainLoss),
          v(MetricKey.valLoss),
          lastValStep,
          best,
          best,
          bestStep,
          best,
          best,
          best,
          v(MetricKey.tokensPerS),
          v(MetricKey.tokensSeen),
          runId,
        );
      this.stmts.insertBatch.run(runId, attempt, seq, first, last, points.length, now);
    }).immediate();
  }

  addCheckpoint(runId: string, c: Omit<CheckpointRow, 'createdAt'>, now = Date.now()): void {
    this.db
      .prepare('INSERT OR REPLACE INTO checkpoints(run_id, step, path, sha256, bytes, val_loss, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(runId, c.step, c.path, c.sha256, c.bytes, c.valLoss, now);
  }

  /** Checkpoints whose folders are still on disk, by step. */
  listCheckpoints(runId: string): CheckpointRow[] {
    return this.db
      .prepare('SELECT step, path, sha256, bytes, val_loss AS valLoss, created_at AS createdAt FROM checkpoints WHERE run_id = ? AND pruned_at IS NULL ORDER BY step')
      .all(runId) as CheckpointRow[];
  }

  /**
   * checkpoint.keep: the periodic checkpoints beyond the newest `keep` are to be removed from disk, never the
   * latest (the resume point) nor the best by val loss. Returns them; call markPruned once their folders are gone.
   */
  checkpointsToPrune(runId: string, keep: number): CheckpointRow[] {
    const live = this.listCheckpoints(runId);
    if (live.length <= keep + 2) return [];
    const latest = live[live.length - 1];
    let best: CheckpointRow | null = null;
    for (const c of live) if (c.valLoss !== null && Number.isFinite(c.valLoss) && (best === null || c.valLoss < best.valLoss!)) best = c;
    const periodic = live.filter((c) => c !== latest && c !== best);
    return periodic.slice(0, Math.max(0, periodic.length - keep));
  }

  markPruned(runId: string, step: number, now = Date.now()): void {
    this.db.prepare('UPDATE checkpoints SET pruned_at = ? WHERE run_id = ? AND step = ?').run(now, runId, step);
  }

  latestCheckpoint(runId: string): CheckpointRow | null {
    const rows = this.listCheckpoints(runId);
    return rows.length ? rows[rows.length - 1] : null;
  }

  /** Inserts new alerts and updates merged ones (same id); ids are assigned when the monitor gave none. */
  upsertAlerts(runId: string, alerts: readonly Alert[], now = Date.now()): Alert[] {
    const stmt = this.db.prepare(
      `INSERT INTO alerts(id, run_id, kind, severity, step, step_end, message, advice, evidence, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET severity = excluded.severity, step_end = excluded.step_end, message = excluded.message,
         advice = excluded.advice, evidence = excluded.evidence, updated_at = excluded.updated_at`,
    );
    const out: Alert[] = [];
    this.db.transaction(() => {
      for (const a of alerts) {
        const id = a.id ? `${runId}:${a.id}` : `${runId}:${a.kind}:${a.step}`;
        stmt.run(id, runId, a.kind, a.severity, a.step, a.stepEnd, a.message, a.advice, JSON.stringify(a.evidence), now, now);
        out.push({ ...a, id, runId });
      }
    }).immediate();
    return out;
  }

  listAlerts(runId: string): Alert[] {
    const rows = this.db
      .prepare('SELECT id, run_id, kind, severity, step, step_end, message, advice, evidence FROM alerts WHERE run_id = ? ORDER BY step, created_at')
      .all(runId) as { id: string; run_id: string; kind: Alert['kind']; severity: Alert['severity']; step: number; step_end: number | null; message: string; advice: string; evidence: string }[];
    return rows.map((r) => ({
      id: r.id,
      runId: r.run_id,
      kind: r.kind,
      severity: r.severity,
      step: r.step,
      stepEnd: r.step_end,
      message: r.message,
      advice: r.advice,
      evidence: JSON.parse(r.evidence) as Alert['evidence'],
    }));
  }

  metricKeys(runId: string): string[] {
    return this.db
      .prepare('SELECT k.key FROM metric_keys k WHERE EXISTS (SELECT 1 FROM metrics m WHERE m.run_id = ? AND m.key_id = k.id) ORDER BY k.key')
      .pluck()
      .all(runId) as string[];
  }

  series(runId: string, keys?: readonly string[], sinceStep = 0): SeriesRows[] {
    const wanted = keys ?? this.metricKeys(runId);
    return wanted.map((key) => {
      const id = this.db.prepare('SELECT id FROM metric_keys WHERE key = ?').pluck().get(key) as number | undefined;
      const steps: number[] = [];
      const values: number[] = [];
      if (id !== undefined) {
        for (const [step, value] of this.stmts.series.iterate(runId, id, sinceStep) as Iterable<[number, number | null]>) {
          steps.push(step);
          values.push(value === null ? NaN : value);
        }
      }
      return { key, steps, values };
    });
  }

  /** Every point of a run in step order (then key), for recomputing alerts and for exports. */
  *iteratePoints(runId: string): Generator<MetricPoint> {
    const stmt = this.db
      .prepare('SELECT m.step, k.key, m.value FROM metrics m JOIN metric_keys k ON k.id = m.key_id WHERE m.run_id = ? ORDER BY m.step, k.key')
      .raw();
    for (const [step, key, value] of stmt.iterate(runId) as Iterable<[number, string, number | null]>) {
      yield { step, key, value: value === null ? NaN : value };
    }
  }

  /** Values a later log of the same step replaced with a different one (a resumed run), oldest first. */
  supersededPoints(runId: string): (MetricPoint & { supersededAt: number })[] {
    const rows = this.db
      .prepare(
        'SELECT s.step, k.key, s.value, s.superseded_at FROM metrics_superseded s JOIN metric_keys k ON k.id = s.key_id WHERE s.run_id = ? ORDER BY s.superseded_at, s.rowid',
      )
      .raw()
      .all(runId) as [number, string, number | null, number][];
    return rows.map(([step, key, value, supersededAt]) => ({ step, key, value: value === null ? NaN : value, supersededAt }));
  }

  committedBatches(runId: string): { attempt: number; seq: number; firstStep: number; lastStep: number; points: number }[] {
    return this.db
      .prepare('SELECT attempt, seq, first_step AS firstStep, last_step AS lastStep, points FROM metric_batches WHERE run_id = ? ORDER BY attempt, seq')
      .all(runId) as { attempt: number; seq: number; firstStep: number; lastStep: number; points: number }[];
  }

  /** A sample generated from a checkpoint (playground, eval-time generation health). */
  addSample(runId: string, s: Omit<SampleRow, 'id' | 'createdAt'>, now = Date.now()): number {
    const info = this.db
      .prepare('INSERT INTO samples(run_id, checkpoint_step, prompt, settings, text, diagnostics, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(runId, s.checkpointStep, s.prompt, JSON.stringify(s.settings), s.text, s.diagnostics === null ? null : JSON.stringify(s.diagnostics), now);
    return Number(info.lastInsertRowid);
  }

  listSamples(runId: string): SampleRow[] {
    const rows = this.db
      .prepare('SELECT id, checkpoint_step, prompt, settings, text, diagnostics, created_at FROM samples WHERE run_id = ? ORDER BY id')
      .all(runId) as { id: number; checkpoint_step: number | null; prompt: string; settings: string; text: string; diagnostics: string | null; created_at: number }[];
    return rows.map((r) => ({
      id: r.id,
      checkpointStep: r.checkpoint_step,
      prompt: r.prompt,
      settings: JSON.parse(r.settings) as Record<string, unknown>,
      text: r.text,
      diagnostics: r.diagnostics === null ? null : (JSON.parse(r.diagnostics) as Record<string, unknown>),
      createdAt: r.created_at,
    }));
  }

  integrityCheck(): string {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  }

  /** A consistent copy of the whole store while it is in use (SQLite online backup API). */
  async backup(destination: string): Promise<void> {
    await this.db.backup(destination);
  }
}

const summarySelect = `SELECT r.*, (SELECT count(*) FROM alerts a WHERE a.run_id = r.id) AS alert_count,
  (SELECT count(*) FROM alerts a WHERE a.run_id = r.id AND a.severity IN ('warning', 'error')) AS warning_count FROM runs r`;

function toSummary(r: RunRow): RunSummary {
  return {
    id: r.id,
    name: r.name,
    hypothesis: r.hypothesis,
    notes: r.notes,
    status: r.status,
    backend: r.backend,
    backendReason: r.backend_reason,
    params: r.params,
    steps: r.steps,
    plannedSteps: r.planned_steps,
    // Engines that do not report train/tokens_seen: steps × tokens per update is the same count.
    tokensSeen: r.tokens_seen || r.steps * (r.tokens_per_update ?? 0),
    tokensPerUpdate: r.tokens_per_update,
    lastTrainLoss: r.last_train_loss,
    lastValLoss: r.last_val_loss,
    bestValLoss: r.best_val_loss,
    lastValStep: r.last_val_step,
    bestValStep: r.best_val_step,
    tokensPerS: r.tokens_per_s,
    configHash: r.config_hash,
    baselineId: r.baseline_id,
    groupName: r.group_name,
    seed: r.seed,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    error: r.error,
    archived: r.archived !== 0,
    alertCount: r.alert_count,
    warningCount: r.warning_count,
  };
}
