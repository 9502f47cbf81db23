// The runs table: creating, listing, resolving and patching runs, and every status change, with the summary
// columns that keep the runs list cheap. Checkpoints, metrics and alerts have their own stores over the same DB.
import crypto from 'node:crypto';
import { RunConfig } from '../../shared/config.ts';
import type { ExternalSource, RunStatus, RunSummary } from '../../shared/runs.ts';
import { activeStatuses, isActive } from '../../shared/runs.ts';
import type { StartedInfo } from '../../shared/worker-protocol.ts';
import { StoreError, type Db } from './db.ts';
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

export interface RunPatch {
  name?: string;
  notes?: string;
  hypothesis?: string;
  archived?: boolean;
}

interface RunRow {
  id: string;
  /** config.init_from, read out of the JSON by the summary query. */
  init_from?: string | null;
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
  source_kind: ExternalSource['kind'] | null;
  source_path: string | null;
  stale_since: number | null;
}

/** A process is alive if signal 0 reaches it (EPERM: alive, owned by someone else). */
function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Canonical JSON (sorted keys) so equal configs hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
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
function newRunId(now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${p(now.getUTCFullYear() % 100)}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${crypto.randomBytes(2).toString('hex')}`;
}

export class RunsStore {
  private readonly summaryStmt;

  constructor(private readonly db: Db) {
    this.summaryStmt = db.prepare(`${summarySelect} WHERE r.id = ?`);
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

  create(r: NewRun, now = Date.now()): RunSummary {
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
    return this.get(id)!;
  }

  get(id: string): RunSummary | null {
    const row = this.summaryStmt.get(id) as RunRow | undefined;
    return row ? toSummary(row) : null;
  }

  require(id: string): RunSummary {
    const s = this.get(id);
    if (!s) throw new StoreError(`no run with id "${id}"`, 'not_found');
    return s;
  }

  list(opts: { includeArchived?: boolean } = {}): RunSummary[] {
    const where = opts.includeArchived ? '' : 'WHERE r.archived = 0';
    return (this.db.prepare(`${summarySelect} ${where} ORDER BY r.created_at DESC, r.id DESC`).all() as RunRow[]).map(toSummary);
  }

  /** An exact id, or a unique id prefix (so users can type the short random tail or the start). */
  resolveId(idOrPrefix: string): string {
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

  /** The run's resolved config, checked against the schema once here so every reader gets a typed RunConfig. */
  config(id: string): RunConfig {
    const json = this.db.prepare('SELECT config FROM runs WHERE id = ?').pluck().get(id) as string | undefined;
    if (json === undefined) throw new StoreError(`no run with id "${id}"`, 'not_found');
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch {
      throw new StoreError(`the stored config of run ${id} is not valid JSON`, 'corrupt');
    }
    const parsed = RunConfig.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new StoreError(`the stored config of run ${id} does not match this Loupe's schema (${first?.path.join('.') || 'config'}: ${first?.message ?? 'invalid'})`, 'corrupt');
    }
    return parsed.data;
  }

  patch(id: string, patch: RunPatch): RunSummary {
    this.require(id);
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
    return this.require(id);
  }

  /**
   * Permanently deletes an archived, inactive run: its rows in one transaction (other runs naming it as baseline keep
   * theirs, unlinked), then, once committed, its folder runs/<id>/ (checkpoints). Throws StoreError 'conflict' otherwise.
   */
  delete(id: string, dataDir: string): DeletedRows & { runId: string; deletedFiles: number } {
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
    const ended = isActive(status) ? null : now;
    const owner = isActive(status) ? process.pid : null;
    this.db.prepare('UPDATE runs SET status = ?, error = ?, ended_at = ?, owner_pid = ? WHERE id = ?').run(status, error, ended, owner, id);
  }
}

const summarySelect = `SELECT r.*, json_extract(r.config, '$.init_from') AS init_from, (SELECT count(*) FROM alerts a WHERE a.run_id = r.id) AS alert_count,
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
    initFrom: r.init_from ?? null,
    groupName: r.group_name,
    seed: r.seed,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    error: r.error,
    archived: r.archived !== 0,
    alertCount: r.alert_count,
    warningCount: r.warning_count,
    external: r.source_kind ? { kind: r.source_kind, path: r.source_path ?? '', staleSince: r.stale_since } : null,
  };
}
