// Store operations for runs from elsewhere (watched run files, imports): their source columns (migration 6), the
// config their source declared, and the stale mark of a watched file that stopped growing.
import type { RunConfig } from '../../shared/config.ts';
import type { ExternalSource, RunSummary } from '../../shared/runs.ts';
import type { Store } from './store.ts';

export interface NewExternalRun {
  name: string;
  config: RunConfig;
  kind: ExternalSource['kind'];
  path: string;
  /** Same key = same source: watching a file again continues its run instead of making another. */
  key: string;
  sourceConfig: Record<string, unknown> | null;
}

export function createExternalRun(store: Store, r: NewExternalRun, now = Date.now()): RunSummary {
  const run = store.runs.create({ name: r.name, config: r.config, status: 'stopped' }, now);
  store.db
    .prepare(
      `UPDATE runs SET source_kind = ?, source_path = ?, source_key = ?, source_config = ?, backend = 'external',
         backend_reason = ? WHERE id = ?`,
    )
    .run(r.kind, r.path, r.key, r.sourceConfig === null ? null : JSON.stringify(r.sourceConfig), `${r.kind} ${r.path}`, run.id);
  return store.runs.require(run.id);
}

export function findExternalRun(store: Store, key: string): string | null {
  return (store.db.prepare('SELECT id FROM runs WHERE source_key = ? ORDER BY created_at DESC LIMIT 1').pluck().get(key) as string | undefined) ?? null;
}

/** This process now follows the run: running, owned by this pid, a new attempt (metric batches are numbered per attempt). */
export function markExternalRunning(store: Store, id: string, now = Date.now()): number {
  return store.db.transaction(() => {
    store.db
      .prepare(
        `UPDATE runs SET status = 'running', owner_pid = ?, error = NULL, ended_at = NULL, stale_since = NULL,
           attempts = attempts + 1, started_at = coalesce(started_at, ?) WHERE id = ?`,
      )
      .run(process.pid, now, id);
    return store.db.prepare('SELECT attempts FROM runs WHERE id = ?').pluck().get(id) as number;
  }).immediate();
}

export function setStale(store: Store, id: string, since: number | null): void {
  store.db.prepare('UPDATE runs SET stale_since = ? WHERE id = ?').run(since, id);
}

export function setPlannedSteps(store: Store, id: string, steps: number): void {
  store.db.prepare('UPDATE runs SET planned_steps = ? WHERE id = ?').run(steps, id);
}

export function sourceConfig(store: Store, id: string): Record<string, unknown> | null {
  const json = store.db.prepare('SELECT source_config FROM runs WHERE id = ?').pluck().get(id) as string | null | undefined;
  return json ? (JSON.parse(json) as Record<string, unknown>) : null;
}
