// The Python logger and the run files it writes: a real PyTorch loop's file (fixtures/torch-loop.jsonl, made by
// tools/reference/torch_runfile.py, crashed and resumed from a checkpoint) lands in the store with every value, and
// the logger itself writes only on rank 0, encodes NaN, and ends the run as failed when the script raises.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../store/store.ts';
import { createEvents } from '../scheduler/events.ts';
import { monitorForRun } from '../monitor/index.ts';
import { dbPath } from '../paths.ts';
import { pythonLoggerFile } from '../services/external.ts';
import { RunFileFollower } from './runfile-follower.ts';
import { parseRunFileLine } from './protocol.ts';
import type { IngestDeps } from './ingest.ts';

let dir: string;
let deps: IngestDeps;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-pylog-'));
  deps = { store: Store.open(dbPath(path.join(dir, 'home'))), events: createEvents(), monitorFactory: monitorForRun };
});
afterEach(() => {
  deps.store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a run file from a real PyTorch loop', () => {
  it('is read whole: the crash ends the first attempt, the resume continues the run and keeps the values it replaced', () => {
    const fixture = path.join(__dirname, 'fixtures', 'torch-loop.jsonl');
    const lines = fs.readFileSync(fixture, 'utf8').trim().split('\n');
    expect(lines.every((l) => parseRunFileLine(l).ok)).toBe(true);
    const file = path.join(dir, 'torch-loop.jsonl');
    fs.copyFileSync(fixture, file);
    const f = new RunFileFollower(file, deps, { staleAfterMs: 60_000 });
    expect(f.poll()).toBe(true);
    const run = deps.store.runs.require(f.runId!);
    expect(run).toMatchObject({ name: 'torch-mlp-readme', status: 'finished', steps: 160, plannedSteps: 160 });
    const loss = deps.store.metrics.series(run.id, ['train/loss'])[0];
    expect(loss.steps).toEqual(Array.from({ length: 160 }, (_, i) => i + 1));
    const last = JSON.parse(lines.filter((l) => l.includes('"train/loss"')).pop()!) as { value: number };
    expect(loss.values[159]).toBe(last.value);
    // Steps 81–120 were trained twice; the replay differs (the script keeps the optimizer state by reference, so it
    // resumes with moments from step 120), so the first values are kept as superseded.
    const superseded = deps.store.metrics.superseded(run.id).filter((p) => p.key === 'train/loss').map((p) => p.step);
    expect(superseded.length).toBeGreaterThan(30);
    expect(Math.min(...superseded)).toBeGreaterThanOrEqual(81);
    expect(Math.max(...superseded)).toBeLessThanOrEqual(120);
    expect(deps.store.metrics.series(run.id, ['val/loss'])[0].steps).toEqual([40, 80, 120, 160]);
    expect(deps.store.runs.config(run.id).train.grad_clip).toBe(1);
  });
});

function python(script: string, env: Record<string, string> = {}): { status: number } {
  try {
    execFileSync('python3', ['-c', script], { cwd: dir, env: { ...process.env, PYTHONPATH: path.dirname(pythonLoggerFile), ...env }, stdio: 'pipe' });
    return { status: 0 };
  } catch (e) {
    return { status: (e as { status: number }).status };
  }
}

describe('resources/loupe_logger.py', () => {
  it('writes nothing on ranks other than 0', () => {
    python('from loupe_logger import LoupeLogger\nwith LoupeLogger("r.jsonl") as log: log.metric(1, "train/loss", 1.0)', { RANK: '1' });
    expect(fs.existsSync(path.join(dir, 'r.jsonl'))).toBe(false);
  });

  it('writes the protocol, NaN as a string, and "failed" with the error when the script raises', () => {
    const script = [
      'from loupe_logger import LoupeLogger',
      'log = LoupeLogger("runs/r.jsonl", name="n", config={"max_steps": 3, "path": object()})',
      'log.metrics(1, {"train/loss": 2.5, "train/lr": 1e-3})',
      'log.metric(2, "train/loss", float("nan"))',
      'raise RuntimeError("boom")',
    ].join('\n');
    expect(python(script, { RANK: '0' }).status).not.toBe(0);
    const text = fs.readFileSync(path.join(dir, 'runs', 'r.jsonl'), 'utf8');
    const parsed = text.trim().split('\n').map((l) => parseRunFileLine(l));
    expect(parsed.every((p) => p.ok)).toBe(true);
    const types = parsed.map((p) => (p.ok ? p.line.type : ''));
    expect(types).toEqual(['run', 'metric', 'metric', 'metric', 'end']);
    expect(text).toContain('"value":"NaN"');
    expect(JSON.parse(text.trim().split('\n').pop()!)).toEqual({ type: 'end', status: 'failed', error: 'RuntimeError: boom' });
  });
});
