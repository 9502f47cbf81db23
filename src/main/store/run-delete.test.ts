// Permanent deletion: every row of the run and its folder go, other runs are untouched (a run naming it as baseline
// only loses the link), active or unarchived runs are refused with nothing changed, and tables added later are covered.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { resolveConfig, type RunConfig } from '../../shared/config.ts';
import { openDatabase, StoreError } from './db.ts';
import { migrations } from './migrations/index.ts';
import { Store } from './store.ts';
import { runFolder, runReferences } from './run-delete.ts';
import { tempDir } from '../scheduler/testing/harness.ts';

function config(name: string): RunConfig {
  const r = resolveConfig({ name, train: { steps: 100, warmup_steps: 0 } });
  if (!r.ok) throw new Error('bad test config');
  return r.config;
}

/** A run with rows in every table that holds run data, and two checkpoint files on disk. */
function populate(store: Store, dataDir: string, name: string, baselineId: string | null = null): string {
  const run = store.runs.create({ name, config: config(name), baselineId, status: 'running' });
  store.metrics.insert(run.id, 1, 0, [
    { step: 1, key: 'train/loss', value: 3 },
    { step: 2, key: 'train/loss', value: NaN },
    { step: 2, key: 'val/loss', value: 2.5 },
  ]);
  store.alerts.upsert(run.id, [
    { kind: 'loss_spike', severity: 'warning', step: 2, stepEnd: null, message: 'spike', advice: 'lower lr', evidence: {} },
  ]);
  for (const step of [1, 2]) {
    const dir = path.join(dataDir, 'runs', run.id, 'checkpoints', `step-${step}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'weights.bin'), `w${step}`);
    store.checkpoints.add(run.id, { step, path: dir, sha256: 'x', bytes: 2, valLoss: 2.5 });
  }
  store.db
    .prepare('INSERT INTO samples(run_id, checkpoint_step, prompt, settings, text, diagnostics, created_at) VALUES (?, 2, ?, ?, ?, NULL, ?)')
    .run(run.id, 'Call me', '{}', ' Ishmael', Date.now());
  store.runs.setStatus(run.id, 'finished');
  return run.id;
}

/** Rows per table that reference `runId` (through every foreign key to runs), plus the run row itself. */
function rowsOf(store: Store, runId: string): Record<string, number> {
  const out: Record<string, number> = { runs: store.db.prepare('SELECT count(*) FROM runs WHERE id = ?').pluck().get(runId) as number };
  for (const r of runReferences(store.db)) {
    out[`${r.table}.${r.column}`] = store.db.prepare(`SELECT count(*) FROM "${r.table}" WHERE "${r.column}" = ?`).pluck().get(runId) as number;
  }
  return out;
}

function setup(): { store: Store; dataDir: string; victim: string; child: string; other: string } {
  const dataDir = tempDir();
  const store = Store.open(path.join(dataDir, 'loupe.db'));
  const victim = populate(store, dataDir, 'victim');
  const child = populate(store, dataDir, 'child', victim);
  const other = populate(store, dataDir, 'other');
  return { store, dataDir, victim, child, other };
}

function conflict(fn: () => unknown, needle: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).code).toBe('conflict');
    expect((e as StoreError).message).toContain(needle);
    return;
  }
  throw new Error('expected a conflict');
}

describe('deleting a run', () => {
  it('removes every row of the run and its folder; other runs keep theirs, a child run only loses its baseline link', () => {
    const { store, dataDir, victim, child, other } = setup();
    const before = rowsOf(store, victim);
    expect(before).toMatchObject({ runs: 1, 'metrics.run_id': 3, 'metric_batches.run_id': 1, 'alerts.run_id': 1, 'checkpoints.run_id': 2, 'samples.run_id': 1, 'runs.baseline_id': 1 });
    const childBefore = rowsOf(store, child);
    const otherBefore = rowsOf(store, other);
    const childSeries = store.metrics.series(child);

    store.runs.patch(victim, { archived: true });
    const result = store.runs.delete(victim, dataDir);

    expect(result.runId).toBe(victim);
    expect(result.deletedFiles).toBe(2);
    expect(result.deleted).toMatchObject({ runs: 1, metrics: 3, metric_batches: 1, alerts: 1, checkpoints: 2, samples: 1 });
    expect(result.unlinked).toMatchObject({ 'runs.baseline_id': 1 });
    expect(Object.values(rowsOf(store, victim)).every((n) => n === 0)).toBe(true);
    expect(store.runs.get(victim)).toBeNull();
    expect(fs.existsSync(path.join(dataDir, 'runs', victim))).toBe(false);

    expect(store.runs.require(child).baselineId).toBeNull();
    expect(rowsOf(store, child)).toEqual(childBefore);
    expect(rowsOf(store, other)).toEqual(otherBefore);
    expect(store.metrics.series(child)).toEqual(childSeries);
    expect(store.checkpoints.list(other).map((c) => fs.existsSync(c.path))).toEqual([true, true]);
    expect(store.runs.list({ includeArchived: true }).map((r) => r.id).sort()).toEqual([child, other].sort());
    expect(store.integrityCheck()).toBe('ok');
    expect(store.db.pragma('foreign_key_check')).toEqual([]);
    store.close();
  });

  it('refuses unarchived, running and queued runs, and changes nothing', () => {
    const { store, dataDir, victim } = setup();
    const before = rowsOf(store, victim);
    conflict(() => store.runs.delete(victim, dataDir), 'not archived; archive it first');

    store.runs.patch(victim, { archived: true });
    for (const status of ['running', 'queued'] as const) {
      store.runs.setStatus(victim, status);
      conflict(() => store.runs.delete(victim, dataDir), `is ${status}; stop it`);
    }
    expect(rowsOf(store, victim)).toEqual(before);
    expect(fs.readdirSync(path.join(dataDir, 'runs', victim, 'checkpoints'))).toHaveLength(2);

    expect(() => store.runs.delete('no-such-run', dataDir)).toThrow(/no run with id "no-such-run"/);
    store.close();
  });

  it('never lets an id reach outside runs/', () => {
    const dataDir = tempDir();
    for (const bad of ['', '..', '../x', 'a/b', '.']) {
      expect(() => runFolder(dataDir, bad), bad).toThrow(StoreError);
    }
    expect(runFolder(dataDir, '261201-120000-abcd')).toBe(path.join(path.resolve(dataDir), 'runs', '261201-120000-abcd'));
  });

  it('covers tables a later migration adds: owned rows are deleted, optional links are cleared', () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'loupe.db');
    const extra = {
      version: migrations[migrations.length - 1].version + 1,
      sql: `CREATE TABLE run_tags (run_id TEXT NOT NULL REFERENCES runs(id), tag TEXT NOT NULL);
            CREATE TABLE reports (id INTEGER PRIMARY KEY, run_id TEXT REFERENCES runs(id), title TEXT);`,
    };
    const store = new Store(openDatabase(file, { migrations: [...migrations, extra] }), file);
    const victim = populate(store, dataDir, 'victim');
    const other = populate(store, dataDir, 'other');
    for (const id of [victim, other]) {
      store.db.prepare('INSERT INTO run_tags(run_id, tag) VALUES (?, ?)').run(id, 'lr');
      store.db.prepare('INSERT INTO reports(run_id, title) VALUES (?, ?)').run(id, 'notes');
    }
    store.runs.patch(victim, { archived: true });
    const r = store.runs.delete(victim, dataDir);
    expect(r.deleted['run_tags']).toBe(1);
    expect(r.unlinked['reports.run_id']).toBe(1);
    expect(store.db.prepare('SELECT run_id FROM run_tags ORDER BY run_id').pluck().all()).toEqual([other]);
    expect(store.db.prepare('SELECT run_id FROM reports ORDER BY run_id').pluck().all()).toEqual([null, other]);
    expect(store.integrityCheck()).toBe('ok');
    expect(store.db.pragma('foreign_key_check')).toEqual([]);
    store.close();
  });
});
