// The run store: migrations from empty (atomic), integrity, non-finite metrics, summaries, orphan recovery,
// corrupt files, backups, and one writer with several reader processes without busy errors.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolveConfig, type RunConfig } from '../../shared/config.ts';
import { openDatabase, StoreError } from './db.ts';
import { migrations } from './migrations/index.ts';
import { backfill as backfillValSteps } from './migrations/0007-val-steps.ts';
import { Store } from './store.ts';
import { configHash } from './runs-store.ts';
import { tempDir } from '../scheduler/testing/harness.ts';

function config(overrides: Record<string, unknown> = {}): RunConfig {
  const r = resolveConfig({ name: 't', train: { steps: 100, warmup_steps: 0 }, ...overrides });
  if (!r.ok) throw new Error('bad test config');
  return r.config;
}

function freshStore(): Store {
  return Store.open(path.join(tempDir(), 'loupe.db'));
}

describe('run store', () => {
  it('migrates an empty file to the latest schema in one step, with WAL and foreign keys on', () => {
    const file = path.join(tempDir(), 'loupe.db');
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations[migrations.length - 1].version);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['alerts', 'checkpoints', 'datasets', 'metric_batches', 'metric_keys', 'metrics', 'runs', 'samples']));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    // Reopening applies nothing twice.
    openDatabase(file).close();
  });

  it('rolls back every pending migration when one fails', () => {
    const file = path.join(tempDir(), 'loupe.db');
    const broken = [...migrations, { version: 99, sql: 'CREATE TABLE extra(x); THIS IS NOT SQL;' }];
    expect(() => openDatabase(file, { migrations: broken })).toThrow(StoreError);
    const db = openDatabase(file, { migrations: [] });
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get()).toBe(0);
    db.close();
  });

  it('upgrades a database from an older schema version', () => {
    const file = path.join(tempDir(), 'loupe.db');
    openDatabase(file, { migrations: migrations.slice(0, 1) }).close();
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations[migrations.length - 1]!.version);
    expect(db.prepare('SELECT pruned_at FROM checkpoints').all()).toEqual([]);
    db.close();
  });

  it('refuses a database written by a newer Loupe', () => {
    const file = path.join(tempDir(), 'loupe.db');
    const db = openDatabase(file);
    db.pragma('user_version = 999');
    db.close();
    expect(() => openDatabase(file)).toThrow(/schema version 999, newer than this Loupe/);
  });

  it('names the file in one line when it is not a database', () => {
    const file = path.join(tempDir(), 'loupe.db');
    fs.writeFileSync(file, 'this is not sqlite '.repeat(400));
    let err: unknown;
    try {
      Store.open(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('corrupt');
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).not.toContain('\n');
  });

  it('stores full-resolution metrics including NaN and ±Infinity, and keeps the run summary current', () => {
    const store = freshStore();
    const run = store.runs.create({ name: 'r', config: config() });
    expect(run.status).toBe('queued');
    expect(run.configHash).toBe(configHash(config()));
    store.metrics.insert(run.id, 1, 0, [
      { step: 1, key: 'train/loss', value: 4 },
      { step: 2, key: 'train/loss', value: NaN },
      { step: 3, key: 'train/loss', value: 3.5 },
      { step: 3, key: 'train/grad_norm', value: Infinity },
      { step: 3, key: 'train/lr', value: -Infinity },
      { step: 3, key: 'val/loss', value: 3.9 },
    ]);
    store.metrics.insert(run.id, 1, 1, [
      { step: 4, key: 'train/loss', value: 3.2 },
      { step: 4, key: 'val/loss', value: 4.1 },
    ]);
    const [loss, grad, lr] = store.metrics.series(run.id, ['train/loss', 'train/grad_norm', 'train/lr']);
    expect(loss.steps).toEqual([1, 2, 3, 4]);
    expect(loss.values).toEqual([4, NaN, 3.5, 3.2]);
    expect(grad.values).toEqual([Infinity]);
    expect(lr.values).toEqual([-Infinity]);
    expect(store.metrics.series(run.id, ['train/loss'], 3)[0].steps).toEqual([3, 4]);
    const s = store.runs.require(run.id);
    expect(s).toMatchObject({ steps: 4, lastTrainLoss: 3.2, lastValLoss: 4.1, bestValLoss: 3.9 });
    expect(store.metrics.keys(run.id)).toEqual(['train/grad_norm', 'train/loss', 'train/lr', 'val/loss']);
    expect(store.metrics.committedBatches(run.id).map((b) => [b.seq, b.firstStep, b.lastStep, b.points])).toEqual([
      [0, 1, 3, 6],
      [1, 4, 4, 2],
    ]);
    expect(store.integrityCheck()).toBe('ok');
  });

  it('keeps the step of each val figure, and never counts the value at initialisation as the best', () => {
    const store = freshStore();
    const run = store.runs.create({ name: 'v', config: config() });
    store.metrics.insert(run.id, 1, 0, [{ step: 0, key: 'val/loss', value: 5.5 }, { step: 1, key: 'train/loss', value: 5 }]);
    expect(store.runs.require(run.id)).toMatchObject({ lastValLoss: 5.5, lastValStep: 0, bestValLoss: null, bestValStep: null });
    store.metrics.insert(run.id, 1, 1, [{ step: 10, key: 'val/loss', value: 3.2 }]);
    store.metrics.insert(run.id, 1, 2, [{ step: 20, key: 'val/loss', value: 3.4 }]);
    expect(store.runs.require(run.id)).toMatchObject({ lastValLoss: 3.4, lastValStep: 20, bestValLoss: 3.2, bestValStep: 10 });

    // The migration's backfill gives older rows the same figures from their metrics.
    store.db.prepare('UPDATE runs SET best_val_loss = 5.5, last_val_step = NULL, best_val_step = NULL WHERE id = ?').run(run.id);
    store.db.exec(backfillValSteps);
    expect(store.runs.require(run.id)).toMatchObject({ lastValStep: 20, bestValLoss: 3.2, bestValStep: 10 });
    store.close();
  });

  it('upserts merged alerts by id and counts them on the run', () => {
    const store = freshStore();
    const run = store.runs.create({ name: 'r', config: config() });
    const base = { kind: 'plateau' as const, severity: 'warning' as const, step: 10, stepEnd: 20, message: 'm', advice: 'a', evidence: { x: 1 } };
    store.alerts.upsert(run.id, [{ ...base, id: 'p1' }]);
    store.alerts.upsert(run.id, [{ ...base, id: 'p1', stepEnd: 40, evidence: { x: 2 } }, { ...base, kind: 'loss_spike', step: 30 }]);
    const alerts = store.alerts.list(run.id);
    expect(alerts.map((a) => [a.kind, a.step, a.stepEnd, a.evidence.x])).toEqual([
      ['plateau', 10, 40, 2],
      ['loss_spike', 30, 20, 1],
    ]);
    expect(store.runs.require(run.id).alertCount).toBe(2);
  });

  it('marks runs left running by a dead process crashed, and leaves live owners alone', () => {
    const store = freshStore();
    const dead = store.runs.create({ name: 'dead', config: config(), status: 'running', ownerPid: 2 ** 22 + 12345 });
    const queued = store.runs.create({ name: 'queued', config: config(), status: 'queued', ownerPid: 2 ** 22 + 12346 });
    const live = store.runs.create({ name: 'live', config: config(), status: 'running', ownerPid: process.pid });
    const changed = store.runs.recoverOrphans();
    expect(changed.sort()).toEqual([dead.id, queued.id].sort());
    expect(store.runs.require(dead.id).status).toBe('crashed');
    expect(store.runs.require(dead.id).error).toMatch(/resume continues from the last checkpoint/);
    expect(store.runs.require(queued.id).status).toBe('stopped');
    expect(store.runs.require(live.id).status).toBe('running');
  });

  it('finds runs by exact id or a unique prefix, and says which id is unknown', () => {
    const store = freshStore();
    const a = store.runs.create({ name: 'a', config: config() });
    expect(store.runs.resolveId(a.id)).toBe(a.id);
    expect(store.runs.resolveId(a.id.slice(-4))).toBe(a.id);
    expect(() => store.runs.resolveId('nope')).toThrow('no run with id "nope"');
  });

  it('backs up a consistent copy while in use', async () => {
    const store = freshStore();
    const run = store.runs.create({ name: 'r', config: config() });
    store.metrics.insert(run.id, 1, 0, [{ step: 1, key: 'train/loss', value: 1 }]);
    const copy = path.join(tempDir(), 'copy.db');
    await store.backup(copy);
    const other = Store.open(copy);
    expect(other.integrityCheck()).toBe('ok');
    expect(other.metrics.series(run.id, ['train/loss'])[0].values).toEqual([1]);
    other.close();
  });

  it('one writer process and three reader processes run together without busy errors', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'loupe.db');
    const store = Store.open(file);
    const run = store.runs.create({ name: 'w', config: config() });
    store.close();
    const client = fileURLToPath(new URL('./testing/concurrent-client.ts', import.meta.url));
    const runClient = (...args: string[]): Promise<{ code: number | null; out: string }> =>
      new Promise((resolve) => {
        const p = spawn(process.execPath, ['--import', 'tsx', client, file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.stderr.on('data', (d: Buffer) => (out += d.toString()));
        p.on('exit', (code) => resolve({ code, out }));
      });
    const [w, ...readers] = await Promise.all([
      runClient('write', run.id, '400'),
      runClient('read', run.id, '2500'),
      runClient('read', run.id, '2500'),
      runClient('read', run.id, '2500'),
    ]);
    const wr = JSON.parse(w.out.trim()) as { ops: number; rows: number; errors: string[] };
    expect(w.code).toBe(0);
    expect(wr.errors).toEqual([]);
    expect(wr.ops).toBe(400);
    for (const r of readers) {
      expect(r.code).toBe(0);
      const rr = JSON.parse(r.out.trim()) as { ops: number; errors: string[] };
      expect(rr.errors).toEqual([]);
      expect(rr.ops).toBeGreaterThan(0);
    }
    const after = Store.open(file);
    expect(after.integrityCheck()).toBe('ok');
    expect(after.metrics.series(run.id, ['train/loss'])[0].steps.length).toBe(4000);
    after.close();
  });

  it('keeps a value a resumed run logged over with a different one; identical re-logs add nothing', () => {
    const store = freshStore();
    const run = store.runs.create({ name: 'r', config: config() });
    store.metrics.insert(run.id, 1, 1, [
      { step: 1, key: 'train/loss', value: 5.5 },
      { step: 2, key: 'train/loss', value: NaN },
    ]);
    // The resumed attempt retrains from step 1: step 1 bit-identical, step 2 finite this time.
    store.metrics.insert(run.id, 2, 1, [
      { step: 1, key: 'train/loss', value: 5.5 },
      { step: 2, key: 'train/loss', value: 4.9 },
    ]);
    expect(store.metrics.series(run.id, ['train/loss'])[0]).toMatchObject({ steps: [1, 2], values: [5.5, 4.9] });
    const kept = store.metrics.superseded(run.id);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ step: 2, key: 'train/loss' });
    expect(kept[0].value).toBeNaN();
    store.close();
  });
});
