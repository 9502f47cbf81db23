// A damaged database is refused when opened, before anything is written to it, with the file named and the way
// back spelled out; a 0-byte database beside existing runs is not mistaken for a new home; `loupe backup` still
// copies a damaged file; checkpoint paths are kept relative to the data folder, so moving it keeps them.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { resolveConfig, type RunConfig } from '../../shared/config.ts';
import { openDatabase, StoreError } from './db.ts';
import { migrations } from './migrations/index.ts';
import { Store } from './store.ts';
import { backupDatabase } from '../services/backup.ts';
import { serveBrowserMode } from '../serve.ts';
import { tempDir } from '../scheduler/testing/harness.ts';
import { damagedHome, pageSize } from './testing/damage.ts';

function config(): RunConfig {
  const r = resolveConfig({ name: 't', train: { steps: 100, warmup_steps: 0 } });
  if (!r.ok) throw new Error('bad test config');
  return r.config;
}

function expectCorrupt(fn: () => unknown, file: string): StoreError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(StoreError);
  const e = err as StoreError;
  expect(e.code).toBe('corrupt');
  expect(e.message).toContain(file);
  return e;
}

describe('a damaged database', () => {
  it('is refused at open, naming the file and how to recover, and is not written to', () => {
    const { file } = damagedHome();
    const before = fs.readFileSync(file);
    const e = expectCorrupt(() => Store.open(file), file);
    expect(e.message).toMatch(/damaged|corrupt/);
    expect(e.message).toContain('loupe backup');
    expect(e.message).toContain('move');
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0).toBe(0);
    // Read-only openers (other processes' readers) are refused the same way.
    expectCorrupt(() => openDatabase(file, { readonly: true }), file);
  });

  it('can still be copied with `loupe backup`, page for page', async () => {
    const { home, file } = damagedHome();
    const copy = path.join(tempDir(), 'copy.db');
    const r = await backupDatabase(home, copy);
    expect(r).toEqual({ file: copy, method: 'sqlite' });
    // Every page but the first (whose header counters the copy rewrites) as it was, garbage included.
    const [a, b] = [fs.readFileSync(copy), fs.readFileSync(file)];
    expect(a.length).toBe(b.length);
    expect(a.subarray(pageSize).equals(b.subarray(pageSize))).toBe(true);
    await expect(backupDatabase(home, copy)).rejects.toThrow(`${copy} already exists`);
  });

  it('stops `serve` before it listens, with the same message', async () => {
    const { home, file } = damagedHome();
    await expect(serveBrowserMode({ dataDir: home, port: 0, log: () => {}, announce: () => {} })).rejects.toThrow(file);
  });

  it('a 0-byte database beside runs/ holding runs is refused, not started over; a 0-byte one alone is a new home', () => {
    const home = tempDir();
    const file = path.join(home, 'loupe.db');
    fs.writeFileSync(file, '');
    fs.mkdirSync(path.join(home, 'runs', '261202-101010-abcd', 'checkpoints'), { recursive: true });
    const e = expectCorrupt(() => Store.open(file), file);
    expect(e.message).toMatch(/empty \(0 bytes\).*1 run folder/);
    expect(fs.statSync(file).size).toBe(0);

    const fresh = path.join(tempDir(), 'loupe.db');
    fs.writeFileSync(fresh, '');
    const store = Store.open(fresh);
    expect(store.runs.list()).toEqual([]);
    store.close();
  });
});

describe('checkpoint paths', () => {
  it('are stored relative to the data folder and resolve under wherever it is now', () => {
    const home = tempDir();
    const store = Store.open(path.join(home, 'loupe.db'));
    const run = store.runs.create({ name: 'r', config: config() });
    const dir = path.join(home, 'runs', run.id, 'checkpoints', 'step-00000010');
    store.checkpoints.add(run.id, { step: 10, path: dir, sha256: 'x', bytes: 1, valLoss: null });
    const outside = path.join(tempDir(), 'elsewhere', 'step-00000020');
    store.checkpoints.add(run.id, { step: 20, path: outside, sha256: 'y', bytes: 1, valLoss: null });
    const raw = store.db.prepare('SELECT path FROM checkpoints WHERE run_id = ? ORDER BY step').pluck().all(run.id);
    expect(raw).toEqual([`runs/${run.id}/checkpoints/step-00000010`, outside]);
    expect(store.checkpoints.list(run.id).map((c) => c.path)).toEqual([dir, outside]);
    expect(store.checkpoints.findByPath(dir)).toEqual({ runId: run.id, step: 10 });
    store.close();

    const moved = path.join(tempDir(), 'moved-home');
    fs.cpSync(home, moved, { recursive: true });
    const again = Store.open(path.join(moved, 'loupe.db'));
    expect(again.checkpoints.latest(run.id)?.path).toBe(outside);
    expect(again.checkpoints.list(run.id)[0]?.path).toBe(path.join(moved, 'runs', run.id, 'checkpoints', 'step-00000010'));
    again.close();
  });

  it('stored absolute by an older Loupe are migrated (migration 5), even when that folder has moved since', () => {
    const home = tempDir();
    const file = path.join(home, 'loupe.db');
    const upTo4 = migrations.filter((m) => m.version <= 4);
    openDatabase(file, { migrations: upTo4 }).close();
    const db = new Database(file);
    const cfg = JSON.stringify(config());
    db.prepare(
      "INSERT INTO runs(id, name, config, config_hash, seed, status, planned_steps, created_at) VALUES ('r1', 'r', ?, 'h', 1337, 'stopped', 100, 0)",
    ).run(cfg);
    const insert = db.prepare('INSERT INTO checkpoints(run_id, step, path, sha256, bytes, val_loss, created_at) VALUES (?, ?, ?, ?, ?, NULL, 0)');
    insert.run('r1', 10, '/old/home/runs/r1/checkpoints/step-00000010', 'a', 1);
    insert.run('r1', 20, 'C:\\Users\\u\\Loupe\\runs\\r1\\checkpoints\\step-00000020', 'b', 1);
    insert.run('r1', 30, '/mnt/external/step-00000030', 'c', 1);
    db.close();

    const store = Store.open(file);
    const raw = store.db.prepare('SELECT path FROM checkpoints ORDER BY step').pluck().all();
    expect(raw).toEqual(['runs/r1/checkpoints/step-00000010', 'runs/r1/checkpoints/step-00000020', '/mnt/external/step-00000030']);
    expect(store.checkpoints.list('r1').map((c) => c.path)).toEqual([
      path.join(home, 'runs', 'r1', 'checkpoints', 'step-00000010'),
      path.join(home, 'runs', 'r1', 'checkpoints', 'step-00000020'),
      '/mnt/external/step-00000030',
    ]);
    store.close();
  });
});
