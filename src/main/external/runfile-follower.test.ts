// Following run files into the store: partial lines wait for their newline, a truncated and rewritten file and a
// restart from a checkpoint keep every value (superseded ones too), a quiet file turns stale, `end` finishes the run,
// a folder picks up new files, and the alert detectors fire on a loss spike in real training losses.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../store/store.ts';
import { createEvents } from '../scheduler/events.ts';
import { monitorForRun } from '../monitor/index.ts';
import { dbPath } from '../paths.ts';
import { RunFileFollower } from './runfile-follower.ts';
import { startWatch } from './watcher.ts';
import type { IngestDeps } from './ingest.ts';

let dir: string;
let deps: IngestDeps;
let logs: string[];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-follow-'));
  const events = createEvents();
  logs = [];
  events.on('run.log', (e) => void logs.push(e.message));
  deps = { store: Store.open(dbPath(path.join(dir, 'home'))), events, monitorFactory: monitorForRun };
});
afterEach(() => {
  deps.store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const line = (o: unknown): string => `${JSON.stringify(o)}\n`;
const metric = (step: number, key: string, value: number | string): string => line({ type: 'metric', step, key, value, time: step });
const header = line({ type: 'run', name: 'job', config: { max_steps: 100, max_grad_norm: 1 }, started_at: 1 });

function trainLoss(runId: string): [number[], number[]] {
  const s = deps.store.metrics.series(runId, ['train/loss'])[0];
  return [s.steps, s.values];
}

describe('RunFileFollower', () => {
  it('reads only complete lines: a partial line at EOF waits for its newline', () => {
    const file = path.join(dir, 'a.jsonl');
    const full = metric(2, 'train/loss', 3.25);
    fs.writeFileSync(file, header + metric(1, 'train/loss', 3.5) + full.slice(0, 20));
    const f = new RunFileFollower(file, deps, { staleAfterMs: 60_000 });
    f.poll();
    const id = f.runId!;
    expect(trainLoss(id)).toEqual([[1], [3.5]]);
    fs.appendFileSync(file, full.slice(20));
    f.poll();
    expect(trainLoss(id)).toEqual([[1, 2], [3.5, 3.25]]);
    const run = deps.store.runs.require(id);
    expect(run.status).toBe('running');
    expect(run.external).toMatchObject({ kind: 'runfile', path: file, staleSince: null });
    expect(run.plannedSteps).toBe(100);
    expect(deps.store.runs.config(id).train.grad_clip).toBe(1);
  });

  it('a truncated and rewritten file is read again; values it logs over are kept as superseded', () => {
    const file = path.join(dir, 'b.jsonl');
    fs.writeFileSync(file, header + metric(1, 'train/loss', 4) + metric(2, 'train/loss', 3.9) + metric(3, 'train/loss', 3.8));
    const f = new RunFileFollower(file, deps, { staleAfterMs: 60_000 });
    f.poll();
    const id = f.runId!;
    fs.writeFileSync(file, header + metric(1, 'train/loss', 4.1));
    f.poll();
    expect(trainLoss(id)).toEqual([[1, 2, 3], [4.1, 3.9, 3.8]]);
    expect(deps.store.metrics.superseded(id).map((p) => [p.step, p.value])).toEqual([[1, 4]]);
    expect(logs.some((m) => m.includes('truncated or replaced'))).toBe(true);
  });

  it('steps going backwards (a restart from a checkpoint) replace later values and keep the old ones', () => {
    const file = path.join(dir, 'c.jsonl');
    let text = header;
    for (let s = 1; s <= 6; s++) text += metric(s, 'train/loss', 5 - s * 0.1);
    text += line({ type: 'run', name: 'job', config: {}, started_at: 2 });
    for (let s = 4; s <= 8; s++) text += metric(s, 'train/loss', 4 - s * 0.1);
    fs.writeFileSync(file, `${text}${line({ type: 'end', status: 'finished' })}`);
    const f = new RunFileFollower(file, deps, { staleAfterMs: 60_000 });
    expect(f.poll()).toBe(true);
    const [steps, values] = trainLoss(f.runId!);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(values[3]).toBeCloseTo(3.6);
    expect(deps.store.metrics.superseded(f.runId!).map((p) => p.step)).toEqual([4, 5, 6]);
    expect(logs.some((m) => m.includes('steps went back from 6 to 4'))).toBe(true);
    expect(deps.store.runs.require(f.runId!).status).toBe('finished');
  });

  it('marks a quiet file stale and fresh again when it grows; `end` finishes the run with its status', async () => {
    const file = path.join(dir, 'd.jsonl');
    fs.writeFileSync(file, header + metric(1, 'train/loss', 3));
    let now = 1000;
    const f = new RunFileFollower(file, deps, { staleAfterMs: 5000, now: () => now });
    f.poll();
    const id = f.runId!;
    now += 6000;
    f.poll();
    expect(deps.store.runs.require(id).external?.staleSince).toBe(now);
    expect(deps.store.runs.require(id).status).toBe('running');
    fs.appendFileSync(file, metric(2, 'train/loss', 2.9) + line({ type: 'end', status: 'failed', error: 'CUDA out of memory' }));
    expect(f.poll()).toBe(true);
    const run = await f.ended;
    expect(run).toMatchObject({ status: 'failed', error: 'CUDA out of memory', steps: 2 });
    expect(run.external?.staleSince).toBeNull();
  });

  it('skips bad lines with a note, accepts bare NaN, and watching the same file again continues its run', () => {
    const file = path.join(dir, 'e.jsonl');
    fs.writeFileSync(file, `${header}{"type":"metric","step":1,"key":"train/loss","value":NaN}\nnot json\n${line({ type: 'metric', step: -1, key: 'x', value: 1 })}`);
    const f = new RunFileFollower(file, deps, { staleAfterMs: 60_000 });
    f.poll();
    expect(trainLoss(f.runId!)[1]).toEqual([NaN]);
    expect(logs.filter((m) => m.includes('skipped')).length).toBe(2);
    expect(f.stop()?.status).toBe('stopped');
    const again = new RunFileFollower(file, deps, { staleAfterMs: 60_000 });
    again.poll();
    expect(again.runId).toBe(f.runId);
    expect(deps.store.runs.list()).toHaveLength(1);
  });

  it('raises a loss-spike alert on real training losses with a spike, as for Loupe runs', () => {
    const csv = fs.readFileSync(path.join(__dirname, '../monitor/fixtures/baseline-300-steps.csv'), 'utf8').trim().split('\n');
    const cols = csv[0].split(',');
    const li = cols.indexOf('train/loss');
    const file = path.join(dir, 'spike.jsonl');
    let text = line({ type: 'run', name: 'spiky', config: { max_steps: 300 } });
    for (const row of csv.slice(1)) {
      const cells = row.split(',');
      const step = Number(cells[0]);
      if (cells[li] === '') continue;
      const loss = Number(cells[li]) * (step === 220 ? 3 : 1);
      text += metric(step, 'train/loss', loss);
    }
    fs.writeFileSync(file, `${text}${line({ type: 'end' })}`);
    const f = new RunFileFollower(file, deps, { staleAfterMs: 60_000 });
    f.poll();
    const alerts = deps.store.alerts.list(f.runId!);
    expect(alerts.filter((a) => a.kind === 'loss_spike').map((a) => a.step)).toEqual([220]);
  });
});

describe('startWatch', () => {
  it('a folder watch picks up run files that appear later, until stopped', async () => {
    const runs = path.join(dir, 'runs');
    fs.mkdirSync(runs);
    fs.writeFileSync(path.join(runs, 'one.jsonl'), header + metric(1, 'train/loss', 2));
    const seen: string[] = [];
    const w = startWatch(runs, deps, { staleAfterMs: 60_000, pollMs: 20, scanMs: 20, onRun: (r) => void seen.push(r.name) });
    fs.mkdirSync(path.join(runs, 'rank0'));
    fs.writeFileSync(path.join(runs, 'rank0', 'two.jsonl'), line({ type: 'run', name: 'second' }) + metric(5, 'train/loss', 1));
    for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    const ended = await w.stop();
    expect(seen).toEqual(['job', 'second']);
    expect(ended.map((r) => r.status)).toEqual(['stopped', 'stopped']);
  });

  it('a file watch resolves after the end line', async () => {
    const file = path.join(dir, 'f.jsonl');
    fs.writeFileSync(file, header + metric(1, 'train/loss', 2));
    const w = startWatch(file, deps, { staleAfterMs: 60_000, pollMs: 20 });
    fs.appendFileSync(file, line({ type: 'end', status: 'finished' }));
    const [run] = await w.done;
    expect(run.status).toBe('finished');
  });
});
