// Exports never replace what is already there without `force`, and a failing file system comes back as a sentence
// naming the path (not a bare ENOENT/EEXIST/EROFS/ENOSPC).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../../shared/config.ts';
import { Store } from '../store/store.ts';
import { tempDir } from '../scheduler/testing/harness.ts';
import { exportCsv, exportHf, fileProblem } from './exports.ts';
import { ServiceError } from './errors.ts';

const fixture = fileURLToPath(new URL('../engine/checkpoint/testing/v1/step-00000003', import.meta.url));

function failure(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ServiceError) return e;
    throw e;
  }
  throw new Error('expected a ServiceError');
}

let home: string;
let store: Store;
let runId: string;
beforeAll(() => {
  home = tempDir();
  store = Store.open(path.join(home, 'loupe.db'));
  const r = resolveConfig({ name: 'exported' });
  if (!r.ok) throw new Error('bad config');
  runId = store.runs.create({ name: 'exported', config: r.config, status: 'finished' }).id;
  store.metrics.insert(runId, 1, 0, [{ step: 1, key: 'train/loss', value: 3 }, { step: 2, key: 'train/loss', value: 2.5 }]);
  store.checkpoints.add(runId, { step: 3, path: fixture, sha256: 'x', bytes: 1, valLoss: null });
});
afterAll(() => store.close());

describe('export --csv', () => {
  it('refuses to overwrite a file without force, and overwrites it with force', () => {
    const file = path.join(home, 'metrics.csv');
    fs.writeFileSync(file, 'precious\n');
    const e = failure(() => exportCsv(store, runId, file));
    expect(e.code).toBe('conflict');
    expect(e.message).toBe(`${file} already exists; pass --force to overwrite it`);
    expect(fs.readFileSync(file, 'utf8')).toBe('precious\n');
    expect(exportCsv(store, runId, file, { force: true }).rows).toBe(2);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^step,train\/loss\n1,3\n2,2\.5\n$/);
  });

  it('names the path when the folder is missing, a file is in the way, or the target is a folder', () => {
    const missing = path.join(home, 'no-such-folder', 'm.csv');
    expect(failure(() => exportCsv(store, runId, missing)).message).toBe(`cannot write ${missing}: the folder ${path.dirname(missing)} does not exist`);
    fs.writeFileSync(path.join(home, 'a-file'), '');
    const under = path.join(home, 'a-file', 'm.csv');
    expect(failure(() => exportCsv(store, runId, under)).message).toContain(`cannot write ${under}: part of that path is a file, not a folder`);
    fs.mkdirSync(path.join(home, 'a-folder'));
    expect(failure(() => exportCsv(store, runId, path.join(home, 'a-folder'), { force: true })).message).toBe(`cannot write ${path.join(home, 'a-folder')}: it is a folder`);
    expect(fs.readdirSync(home).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

describe('export --hf', () => {
  it('writes into a new or empty folder; refuses a non-empty one without force, leaving its files alone', () => {
    const fresh = path.join(home, 'hf-new');
    expect(exportHf(store, runId, fresh).files.map((f) => path.basename(f)).sort()).toEqual(['config.json', 'loupe_tokenizer.json', 'model.safetensors']);
    const busy = path.join(home, 'hf-busy');
    fs.mkdirSync(busy);
    fs.writeFileSync(path.join(busy, 'config.json'), '{"mine":true}');
    const e = failure(() => exportHf(store, runId, busy));
    expect(e.code).toBe('conflict');
    expect(e.message).toBe(`folder ${busy} is not empty (config.json); pick an empty or new folder, or pass --force to write into it`);
    expect(fs.readFileSync(path.join(busy, 'config.json'), 'utf8')).toBe('{"mine":true}');
    exportHf(store, runId, busy, { force: true });
    expect(fs.readFileSync(path.join(busy, 'config.json'), 'utf8')).not.toBe('{"mine":true}');
    const file = path.join(home, 'hf-is-a-file');
    fs.writeFileSync(file, '');
    expect(failure(() => exportHf(store, runId, file, { force: true })).message).toBe(`cannot write into ${file}: it is a file, not a folder`);
  });
});

describe('file problems', () => {
  it('become sentences naming the path', () => {
    const target = '/data/out.csv';
    const err = (code: string, p?: string): Error => Object.assign(new Error(`${code}: raw`), { code, path: p });
    expect(fileProblem(err('EROFS', target), target).message).toBe('cannot write /data/out.csv: the file system is read-only');
    expect(fileProblem(err('ENOSPC', '/data/.out.csv.tmp-1'), target).message).toBe('disk full while writing /data/out.csv; free some space and try again');
    expect(fileProblem(err('EEXIST', target), target).message).toBe('cannot write /data/out.csv: something is already there');
    expect(fileProblem(err('EEXIST', '/data'), '/data/hf').message).toBe('cannot write /data/hf: something is already there (at /data)');
    expect(fileProblem(err('EACCES', target), target).message).toBe('cannot write /data/out.csv: permission denied');
    expect(fileProblem(err('ENOENT', target), target).message).toBe('cannot write /data/out.csv: the folder /data does not exist');
    for (const code of ['EROFS', 'ENOSPC', 'EEXIST', 'EACCES', 'ENOENT', 'EISDIR', 'ENOTDIR']) expect(fileProblem(err(code, target), target).message).not.toMatch(/^E[A-Z]+:/);
  });
});
