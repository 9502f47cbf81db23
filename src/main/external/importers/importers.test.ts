// Importers through the services: TensorBoard folders (files merged, simple_value and tensor scalars, one run per
// folder), an MLflow file store, and CSV; bad input is one clear error and stores nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../services.ts';
import { writeEventFile } from '../testing/tfevents-writer.ts';
import { loupe } from '../../../cli/testing.ts';

let s: Services;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-import-'));
  s = await createServices({ dataDir: path.join(dir, 'home') });
});
afterAll(async () => {
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const series = (runId: string, key: string): [number[], unknown[]] => {
  const [x] = s.runs.metrics(runId, [key]);
  return [x.steps, x.values];
};

describe('import tensorboard', () => {
  it('merges the event files of a folder, reads simple_value and tensor scalars, and makes one run per folder', () => {
    const logs = path.join(dir, 'tb', 'exp1');
    fs.mkdirSync(path.join(logs, 'eval'), { recursive: true });
    writeEventFile(path.join(logs, 'events.out.tfevents.1700000000.host.1.0'), [
      { step: 1, tag: 'train/loss', value: 4 },
      { step: 2, tag: 'train/loss', value: 3.5, form: 'tensor_float_val' },
      { step: 3, tag: 'train/loss', value: 3.25, form: 'tensor_content_double' },
    ]);
    // The job restarted from step 2: a second file whose steps go back.
    writeEventFile(path.join(logs, 'events.out.tfevents.1700000100.host.2.0'), [
      { step: 3, tag: 'train/loss', value: 3.3 },
      { step: 4, tag: 'train/loss', value: 3.1 },
    ]);
    writeEventFile(path.join(logs, 'eval', 'events.out.tfevents.1700000000.host.1.1'), [{ step: 4, tag: 'val/loss', value: 3.2 }]);
    const runs = s.external.importTensorboard({ path: logs });
    expect(runs.map((r) => [r.name, r.status, r.steps])).toEqual([
      ['exp1', 'finished', 4],
      ['eval', 'finished', 4],
    ]);
    expect(series(runs[0].id, 'train/loss')).toEqual([[1, 2, 3, 4], [4, 3.5, 3.3, 3.1]]);
    expect(s.store.metrics.superseded(runs[0].id).map((p) => [p.step, p.value])).toEqual([[3, 3.25]]);
    expect(runs[0].external).toMatchObject({ kind: 'tensorboard', path: logs });
    expect(series(runs[1].id, 'val/loss')).toEqual([[4], [3.2]]);
    const named = s.external.importTensorboard({ path: path.join(logs, 'eval', 'events.out.tfevents.1700000000.host.1.1'), name: 'mine' });
    expect(named.map((r) => r.name)).toEqual(['mine']);
  });

  it('a corrupt file is one clear error and stores nothing', () => {
    const bad = path.join(dir, 'tb-bad');
    fs.mkdirSync(bad);
    const f = path.join(bad, 'events.out.tfevents.1');
    writeEventFile(f, [{ step: 1, tag: 'loss', value: 1 }]);
    const bytes = fs.readFileSync(f);
    bytes[bytes.length - 6] ^= 0xff;
    fs.writeFileSync(f, bytes);
    const before = s.runs.list().length;
    expect(() => s.external.importTensorboard({ path: bad })).toThrow(/bad data checksum/);
    expect(() => s.external.importTensorboard({ path: path.join(dir, 'nowhere') })).toThrow(/no such file or folder/);
    expect(s.runs.list().length).toBe(before);
  });
});

describe('import mlflow', () => {
  it('reads a file store: metrics (nested keys), params as the config, run name and status', () => {
    const run = path.join(dir, 'mlruns', '0', '3f2a9c');
    fs.mkdirSync(path.join(run, 'metrics', 'train'), { recursive: true });
    fs.mkdirSync(path.join(run, 'params'), { recursive: true });
    fs.mkdirSync(path.join(run, 'tags'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'mlruns', '0', 'meta.yaml'), 'name: Default\nexperiment_id: "0"\n');
    fs.writeFileSync(path.join(run, 'meta.yaml'), 'run_id: 3f2a9c\nrun_name: fallback\nstatus: 3\nstart_time: 1700000000000\n');
    fs.writeFileSync(path.join(run, 'tags', 'mlflow.runName'), 'bright-owl-42');
    fs.writeFileSync(path.join(run, 'params', 'max_steps'), '3');
    fs.writeFileSync(path.join(run, 'params', 'optimizer'), 'adamw');
    fs.writeFileSync(path.join(run, 'metrics', 'train', 'loss'), '1700000000001 4.5 1\n1700000000002 4.0 2\n1700000000003 nan 3\n');
    fs.writeFileSync(path.join(run, 'metrics', 'val_loss'), '1700000000003 4.2 3\n');
    const [r] = s.external.importMlflow({ path: path.join(dir, 'mlruns') });
    expect(r).toMatchObject({ name: 'bright-owl-42', status: 'finished', steps: 3, plannedSteps: 3 });
    expect(s.runs.get(r.id).sourceConfig).toEqual({ max_steps: 3, optimizer: 'adamw' });
    expect(series(r.id, 'train/loss')).toEqual([[1, 2, 3], [4.5, 4, 'NaN']]);
    expect(series(r.id, 'val_loss')).toEqual([[3], [4.2]]);
    expect(s.runs.alerts(r.id).some((a) => a.kind === 'non_finite')).toBe(true);
    expect(() => s.external.importMlflow({ path: path.join(dir, 'tb') })).toThrow(/no MLflow runs under/);
  });
});

describe('import csv', () => {
  it('maps every numeric column to a metric by its header', () => {
    const f = path.join(dir, 'log.csv');
    fs.writeFileSync(f, 'iter,train/loss,"val/loss",note\n0,5.0,,start\n1,4.5,4.6,\n2,4.0,,"a, b"\n');
    const r = s.external.importCsv({ path: f, stepCol: 'iter' });
    expect(r).toMatchObject({ name: 'log', steps: 2 });
    expect(series(r.id, 'train/loss')).toEqual([[0, 1, 2], [5, 4.5, 4]]);
    expect(series(r.id, 'val/loss')).toEqual([[1], [4.6]]);
    expect(() => s.external.importCsv({ path: f })).toThrow(/no column "step" \(columns: iter, train\/loss, val\/loss, note\)/);
  });
});

describe('the CLI', () => {
  it('prints the new run ids as JSON, and usage errors exit 2', async () => {
    const env = { LOUPE_HOME: path.join(dir, 'cli-home') };
    const f = path.join(dir, 'cli.csv');
    fs.writeFileSync(f, 'step,train/loss\n1,3\n2,2.5\n');
    const r = await loupe(['import', 'csv', f, '--json', '--name', 'from-csv'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { runs: { run_id: string; name: string; steps: number }[] };
    expect(out.runs).toHaveLength(1);
    expect(out.runs[0]).toMatchObject({ name: 'from-csv', steps: 2 });
    const bad = await loupe(['import', 'csv', path.join(dir, 'missing.csv')], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^loupe: no such file: /);
    expect((await loupe(['logger'], env)).code).toBe(2);
  }, 60_000);
});
