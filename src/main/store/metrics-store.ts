// Full-resolution metrics: every logged point, the batch record each worker message commits with, and the values
// a resumed run logged over. One worker message is one transaction that also updates the run's summary columns.
import type { MetricPoint } from '../../shared/metrics.ts';
import { MetricKey } from '../../shared/metrics.ts';
import type { Db } from './db.ts';

export interface SeriesRows {
  key: string;
  steps: number[];
  /** NaN stays NaN here; callers encode it for the wire. */
  values: number[];
}

export class MetricsStore {
  private readonly keyIds = new Map<string, number>();
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      insertMetric: db.prepare(
        'INSERT INTO metrics(run_id, key_id, step, value) VALUES (?, ?, ?, ?) ON CONFLICT(run_id, key_id, step) DO UPDATE SET value = excluded.value',
      ),
      insertKey: db.prepare('INSERT OR IGNORE INTO metric_keys(key) VALUES (?)'),
      selectKey: db.prepare('SELECT id FROM metric_keys WHERE key = ?').pluck(),
      insertBatch: db.prepare(
        'INSERT OR REPLACE INTO metric_batches(run_id, attempt, seq, first_step, last_step, points, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      series: db.prepare('SELECT step, value FROM metrics WHERE run_id = ? AND key_id = ? AND step >= ? ORDER BY step').raw(),
    };
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

  /**
   * Points measured after training (zero-shot evals of a checkpoint): stored like any metric, so charts and compare
   * read them, but the run's progress and summary columns are left alone (a checkpoint step is not progress).
   */
  insertMeasured(runId: string, points: readonly MetricPoint[]): void {
    this.db.transaction(() => {
      for (const p of points) this.stmts.insertMetric.run(runId, this.keyId(p.key), p.step, Number.isNaN(p.value) ? null : p.value);
    })();
  }

  /** One worker message = one transaction: the points, the run's summary columns and the batch record. */
  insert(runId: string, attempt: number, seq: number, points: readonly MetricPoint[], now = Date.now()): void {
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

  keys(runId: string): string[] {
    return this.db
      .prepare('SELECT k.key FROM metric_keys k WHERE EXISTS (SELECT 1 FROM metrics m WHERE m.run_id = ? AND m.key_id = k.id) ORDER BY k.key')
      .pluck()
      .all(runId) as string[];
  }

  series(runId: string, keys?: readonly string[], sinceStep = 0): SeriesRows[] {
    const wanted = keys ?? this.keys(runId);
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
  *points(runId: string): Generator<MetricPoint> {
    const stmt = this.db
      .prepare('SELECT m.step, k.key, m.value FROM metrics m JOIN metric_keys k ON k.id = m.key_id WHERE m.run_id = ? ORDER BY m.step, k.key')
      .raw();
    for (const [step, key, value] of stmt.iterate(runId) as Iterable<[number, string, number | null]>) {
      yield { step, key, value: value === null ? NaN : value };
    }
  }

  /**
   * Points past `step` left by an earlier attempt that got further before it was killed, when the resumed attempt
   * ended short of them: moved to metrics_superseded (kept, as a replaced value is), so the run's series ends where
   * the run now stands.
   */
  supersedeAfter(runId: string, step: number, now = Date.now()): number {
    return this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO metrics_superseded(run_id, key_id, step, value, superseded_at) SELECT run_id, key_id, step, value, ? FROM metrics WHERE run_id = ? AND step > ?')
        .run(now, runId, step);
      return this.db.prepare('DELETE FROM metrics WHERE run_id = ? AND step > ?').run(runId, step).changes;
    }).immediate();
  }

  /** Values a later log of the same step replaced with a different one (a resumed run), oldest first. */
  superseded(runId: string): (MetricPoint & { supersededAt: number })[] {
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

}
