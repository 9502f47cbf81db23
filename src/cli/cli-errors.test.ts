// Bad input never crashes the CLI: unknown run, unreadable or invalid config, missing dataset, corrupt
// database — each is one line naming the thing, a non-zero exit, no stack trace, and nothing changed.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../main/scheduler/testing/harness.ts';
import { loupe, type CliResult } from './testing.ts';
import { Store } from '../main/store/store.ts';
import { RunConfig, resolveConfig } from '../shared/config.ts';

function expectOneLineError(r: CliResult, ...needles: string[]): void {
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^loupe: /);
  for (const n of needles) expect(lines[0]).toContain(n);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('loupe CLI bad input', () => {
  it('unknown run id', async () => {
    const env = { LOUPE_HOME: tempDir() };
    expectOneLineError(await loupe(['show', 'nope'], env), 'no run with id or name "nope"');
    expectOneLineError(await loupe(['resume', 'nope'], env), 'no run with id or name "nope"');
    expectOneLineError(await loupe(['export', 'nope', '--csv', 'x.csv'], env), 'no run with id or name "nope"');
  });

  it('a run name or a unique name prefix works where a run id does; an ambiguous one is named', async () => {
    const home = tempDir();
    const store = Store.open(path.join(home, 'loupe.db'));
    const config = RunConfig.parse({});
    const make = (name: string): string => store.runs.create({ name, config: { ...config, name } }).id;
    const a = make('steps100-lr3e-4');
    make('steps100-lr1e-3');
    store.close();
    const env = { LOUPE_HOME: home };
    for (const ref of ['steps100-lr3e-4', 'steps100-lr3']) {
      const r = await loupe(['show', ref, '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { run: { id: string } }).run.id).toBe(a);
    }
    expectOneLineError(await loupe(['show', 'steps100'], env), '"steps100" is ambiguous', 'steps100-lr3e-4', 'steps100-lr1e-3');
    expectOneLineError(await loupe(['alerts', 'steps100-lr'], env), 'is ambiguous');
  });

  it('configs: missing, unparsable, invalid (every field named), missing dataset — and nothing is created', async () => {
    const home = tempDir();
    const env = { LOUPE_HOME: home };
    const missing = path.join(home, 'missing.yaml');
    expectOneLineError(await loupe(['train', missing], env), `config file ${missing} not found`);

    const broken = path.join(home, 'broken.yaml');
    fs.writeFileSync(broken, 'train: [unclosed\n');
    expectOneLineError(await loupe(['train', broken], env), broken, 'not valid YAML');

    const invalid = path.join(home, 'invalid.json');
    fs.writeFileSync(invalid, JSON.stringify({ train: { lr: -1, steps: 0 }, model: { n_head: 3 }, bogus: 1 }));
    const r = await loupe(['train', invalid], env);
    expect(r.code).toBe(2);
    for (const field of ['train.lr', 'train.steps', 'model.d_model', '(root)']) expect(r.stderr).toContain(field);
    expect(r.stderr).not.toMatch(/\n\s+at /);

    // Options the schema names but the engine does not build yet are refused the same way, before any run row.
    const moe = path.join(home, 'moe.yaml');
    fs.writeFileSync(moe, 'model:\n  moe: { experts: 2, top_k: 3 }\n');
    const m = await loupe(['train', moe], env);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('model.moe.top_k: top_k must not exceed experts');

    const noData = path.join(home, 'nodata.yaml');
    fs.writeFileSync(noData, 'data:\n  corpus: ./not-here.txt\n');
    expectOneLineError(await loupe(['train', noData], env), `dataset file ${path.join(home, 'not-here.txt')} not found`);

    const both = await loupe(['train', noData, '--steps', '10', '--scale', '0.5'], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give --steps or --scale, not both');

    expect(fs.existsSync(path.join(home, 'loupe.db'))).toBe(false);
  });

  it('a model too large for its backend exits 2 with the numbers, and creates nothing', async () => {
    const home = tempDir();
    const big = path.join(home, 'big.yaml');
    fs.writeFileSync(big, 'backend: wasm\nmodel:\n  n_layer: 48\n  d_model: 4096\n  n_head: 32\n  block_size: 8192\ntrain:\n  batch_size: 4096\n');
    const r = await loupe(['train', big], { LOUPE_HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/model: training this model needs about [\d.]+ GiB \(9\.\d+B parameters/);
    expect(r.stderr).toContain("more than the wasm backend's 4 GiB heap");
    expect(fs.existsSync(path.join(home, 'loupe.db'))).toBe(false);
  }, 60_000);

  it('export refuses to overwrite without --force, naming the path', async () => {
    const home = tempDir();
    const store = Store.open(path.join(home, 'loupe.db'));
    const parsed = resolveConfig({});
    if (!parsed.ok) throw new Error('bad config');
    const run = store.runs.create({ name: 'exported', config: parsed.config, status: 'finished' });
    store.metrics.insert(run.id, 1, 0, [{ step: 1, key: 'train/loss', value: 3 }]);
    store.close();
    const csv = path.join(home, 'm.csv');
    fs.writeFileSync(csv, 'keep me\n');
    expectOneLineError(await loupe(['export', run.id, '--csv', csv], { LOUPE_HOME: home }), `${csv} already exists; pass --force`);
    expect(fs.readFileSync(csv, 'utf8')).toBe('keep me\n');
    const forced = await loupe(['export', run.id, '--csv', csv, '--force'], { LOUPE_HOME: home });
    expect(forced.code, forced.stderr).toBe(0);
    expect(fs.readFileSync(csv, 'utf8')).toBe('step,train/loss\n1,3\n');
  }, 60_000);

  it('a corrupt database is named and left untouched', async () => {
    const home = tempDir();
    const db = path.join(home, 'loupe.db');
    const junk = Buffer.from('definitely not an SQLite database '.repeat(300));
    fs.writeFileSync(db, junk);
    expectOneLineError(await loupe(['runs'], { LOUPE_HOME: home }), db, 'corrupt');
    expect(fs.readFileSync(db).equals(junk)).toBe(true);
  });

  it('export without a target is a usage error', async () => {
    const r = await loupe(['export', 'x'], { LOUPE_HOME: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('loupe: export needs --csv FILE, --hf DIR or --torch DIR');
  });

  it('names with control characters are refused; stored text reaches the terminal escaped', async () => {
    const home = tempDir();
    const env = { LOUPE_HOME: home };
    const cfg = path.join(home, 'c.yaml');
    fs.writeFileSync(cfg, 'seed: 1\n');
    for (const name of ['two\nlines', '\x1b[31mred', '   ']) {
      const r = await loupe(['train', cfg, '--name', name], env);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toContain('name');
    }
    expect(fs.existsSync(path.join(home, 'loupe.db'))).toBe(false);

    // A run stored before names were checked, with notes and an alert carrying escape codes.
    const store = Store.open(path.join(home, 'loupe.db'));
    const parsed = resolveConfig({});
    if (!parsed.ok) throw new Error('bad config');
    const run = store.runs.create({ name: 'legacy\r\x1b[2J\nFAKE ROW', config: parsed.config, status: 'finished' });
    store.runs.patch(run.id, { notes: 'see \x1b]8;;http://x\x07here\x1b]8;;\x07\nsecond line' });
    store.alerts.upsert(run.id, [{ kind: 'loss_spike', severity: 'warning', step: 5, stepEnd: null, message: 'spike in \x1b[31mred', advice: 'lower lr\r', evidence: {} }]);
    store.close();
    // Any control character but the newlines between lines.
    const raw = /(?!\n)\p{Cc}/u;
    for (const args of [['runs'], ['show', run.id], ['alerts', run.id]]) {
      const r = await loupe(args, env);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).not.toMatch(raw);
      expect(r.stdout, args.join(' ')).toContain('\\e[');
    }
    const table = (await loupe(['runs'], env)).stdout.trimEnd().split('\n');
    expect(table).toHaveLength(2);
  }, 120_000);
});
