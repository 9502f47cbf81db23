// Checkpoint records: where each checkpoint folder is, its SHA-256 and size, and which were pruned from disk.
// Folders inside the data folder are stored relative to it, so moving LOUPE_HOME keeps them; readers get full paths.
import path from 'node:path';
import type { Db } from './db.ts';

export interface CheckpointRow {
  step: number;
  path: string;
  sha256: string;
  bytes: number;
  valLoss: number | null;
  createdAt: number;
}

export class CheckpointsStore {
  constructor(
    private readonly db: Db,
    /** The data folder (LOUPE_HOME): the database's own folder. */
    private readonly home: string,
  ) {}

  /** As stored: relative with forward slashes when inside the data folder, else absolute. */
  stored(folder: string): string {
    const rel = path.relative(this.home, path.resolve(folder));
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : path.resolve(folder);
  }

  resolve(stored: string): string {
    return path.isAbsolute(stored) ? stored : path.join(this.home, ...stored.split('/'));
  }

  add(runId: string, c: Omit<CheckpointRow, 'createdAt'>, now = Date.now()): void {
    this.db
      .prepare('INSERT OR REPLACE INTO checkpoints(run_id, step, path, sha256, bytes, val_loss, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(runId, c.step, this.stored(c.path), c.sha256, c.bytes, c.valLoss, now);
  }

  /** Checkpoints whose folders are still on disk, by step, with full paths. */
  list(runId: string): CheckpointRow[] {
    const rows = this.db
      .prepare('SELECT step, path, sha256, bytes, val_loss AS valLoss, created_at AS createdAt FROM checkpoints WHERE run_id = ? AND pruned_at IS NULL ORDER BY step')
      .all(runId) as CheckpointRow[];
    return rows.map((r) => ({ ...r, path: this.resolve(r.path) }));
  }

  /** The run and step of a live checkpoint folder, if the store has one there. */
  findByPath(folder: string): { runId: string; step: number } | null {
    const row = this.db.prepare('SELECT run_id AS runId, step FROM checkpoints WHERE path IN (?, ?) AND pruned_at IS NULL').get(this.stored(folder), path.resolve(folder)) as
      | { runId: string; step: number }
      | undefined;
    return row ?? null;
  }

  /**
   * checkpoint.keep: the periodic checkpoints beyond the newest `keep` are to be removed from disk, never the
   * latest (the resume point) nor the best by val loss. Returns them; call markPruned once their folders are gone.
   */
  toPrune(runId: string, keep: number): CheckpointRow[] {
    const live = this.list(runId);
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

  latest(runId: string): CheckpointRow | null {
    const rows = this.list(runId);
    return rows.length ? rows[rows.length - 1] : null;
  }

}
