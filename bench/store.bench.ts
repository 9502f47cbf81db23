// Run store ingest benchmark (`npm run bench:store`): metric rows/s written in batches (one transaction per
// batch, as the scheduler does) while another thread polls the run like a live chart, and how big the WAL gets.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { resolveConfig } from '../src/shared/config.ts';
import { Store } from '../src/main/store/store.ts';

const totalRows = Number(process.env['BENCH_ROWS'] ?? 3_000_000);
const keysPerStep = 10;
const stepsPerBatch = Number(process.env['BENCH_STEPS_PER_BATCH'] ?? 100);
const pollMs = 50;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-bench-store-'));
const file = path.join(dir, 'loupe.db');
const store = Store.open(file);
const parsed = resolveConfig({ name: 'bench' });
if (!parsed.ok) throw new Error('bench config invalid');
const run = store.runs.create({ name: 'bench', config: parsed.config });

// The reader polls new points of two series since the last step it saw, plus the runs list, on its own connection.
const readerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file, { readonly: true });
db.pragma('busy_timeout = 10000');
const keyId = db.prepare('SELECT id FROM metric_keys WHERE key = ?').pluck();
const q = db.prepare('SELECT step, value FROM metrics WHERE run_id = ? AND key_id = ? AND step > ? ORDER BY step').raw();
const runs = db.prepare('SELECT id, steps, last_train_loss FROM runs');
let since = 0, polls = 0, rows = 0, errors = 0, worstMs = 0, stop = false;
parentPort.on('message', () => { stop = true; });
const tick = () => {
  if (stop) { db.close(); parentPort.postMessage({ polls, rows, errors, worstMs, since }); return; }
  const t = performance.now();
  try {
    let last = since;
    for (const key of ['train/loss', 'val/loss']) {
      const id = keyId.get(key);
      if (id === undefined) continue;
      const got = q.all(workerData.runId, id, since);
      rows += got.length;
      if (got.length && key === 'train/loss') last = got[got.length - 1][0];
    }
    runs.all();
    since = last;
    polls++;
  } catch (e) { errors++; }
  worstMs = Math.max(worstMs, performance.now() - t);
  setTimeout(tick, ${pollMs});
};
tick();
`;
const reader = new Worker(readerSource, { eval: true, workerData: { file, runId: run.id, sqlite: require_('better-sqlite3') } });

function require_(name: string): string {
  return import.meta.resolve(name).replace(/^file:\/\//, '');
}

const walFile = `${file}-wal`;
let walMax = 0;
const keys = ['train/loss', 'val/loss', 'train/lr', 'train/grad_norm', 'train/clipped', 'train/tokens_per_s', 'train/step_ms', 'train/tokens_seen', 'diag/a', 'diag/b'];
const batches = Math.ceil(totalRows / (keysPerStep * stepsPerBatch));
let step = 0;
let rows = 0;
let worstBatchMs = 0;
const t0 = performance.now();
for (let b = 0; b < batches; b++) {
  const points = [];
  for (let i = 0; i < stepsPerBatch; i++) {
    step++;
    for (const key of keys) points.push({ step, key, value: Math.sin(step * 0.01) + Math.random() });
  }
  const tb = performance.now();
  store.metrics.insert(run.id, 1, b, points);
  worstBatchMs = Math.max(worstBatchMs, performance.now() - tb);
  rows += points.length;
  if (b % 20 === 0) {
    walMax = Math.max(walMax, fs.existsSync(walFile) ? fs.statSync(walFile).size : 0);
    // Let the reader's timer run, as the scheduler's event loop would between worker messages.
    await new Promise((r) => setImmediate(r));
  }
}
const seconds = (performance.now() - t0) / 1000;
walMax = Math.max(walMax, fs.existsSync(walFile) ? fs.statSync(walFile).size : 0);
const readerStats = await new Promise<{ polls: number; rows: number; errors: number; worstMs: number; since: number }>((resolve) => {
  reader.once('message', resolve);
  reader.postMessage('stop');
});
await reader.terminate();
const dbBytes = fs.statSync(file).size;
const check = store.integrityCheck();
store.close();

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;
console.log(`store ingest: ${rows.toLocaleString('en')} metric rows in ${batches} batches of ${keysPerStep * stepsPerBatch} rows`);
console.log(`  ${Math.round(rows / seconds).toLocaleString('en')} rows/s (${seconds.toFixed(2)} s; worst batch ${worstBatchMs.toFixed(1)} ms; target ≥ 100,000 rows/s)`);
console.log(`  reader: ${readerStats.polls} polls, ${readerStats.rows.toLocaleString('en')} rows read, ${readerStats.errors} errors, worst poll ${readerStats.worstMs.toFixed(1)} ms, last step seen ${readerStats.since}`);
console.log(`  WAL max ${mb(walMax)} (journal_size_limit 64 MiB); database ${mb(dbBytes)} (${(dbBytes / rows).toFixed(1)} bytes/row); integrity ${check}`);
fs.rmSync(dir, { recursive: true, force: true });
if (readerStats.errors > 0 || check !== 'ok') process.exitCode = 1;
