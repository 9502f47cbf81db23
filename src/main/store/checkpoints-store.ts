// Checkpoint records: where each checkpoint folder is, its SHA-256 and size, and which were pruned from disk.
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
  constructor(private readonly db: Db) {}

  add(runId: string, c: Omit<CheckpointRow, 'createdAt'>, now = Date.now()): void {
    this.db
      .prepare('INSERT OR REPLACE INTO checkpoints(run_id, step, path, sha256, bytes, val_loss, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(runId, c.step, c.path, c.sha256, c.bytes, c.valLoss, now);
  }

  /** Checkpoints whose folders are still on disk, by step. */
  list(runId: string): CheckpointRow[] {
    return this.db
      .prepare('SELECT step, path, sha256, bytes, val_loss AS valLoss, created_at AS createdAt FROM checkpoints WHERE run_id = ? AND pruned_at IS NULL ORDER BY step')
      .all(runId) as CheckpointRow[];
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
