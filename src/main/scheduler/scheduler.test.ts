// Scheduler behaviour with the scripted engine: queueing and concurrency, stop/pause/resume from checkpoints,
// and failures (crash, out of memory, NaN, a worker that ignores stop) that end only their own run.
import { describe, it, expect, afterEach } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { RunStatus } from '../../shared/runs.ts';
import { resolveConfig } from '../../shared/config.ts';
import type { Services } from '../services.ts';
import { scriptedServices, tinyConfig } from './testing/harness.ts';
import type { MonitorFactory } from '../monitor/index.ts';

let open: Services[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

async function services(opts: Parameters<typeof scriptedServices>[0] = {}): Promise<Services> {
  const s = await scriptedServices(opts);
  open.push(s);
  return s;
}

function statusLog(s: Services): Map<string, RunStatus[]> {
  const log = new Map<string, RunStatus[]>();
  s.events.on('run.status', ({ run }) => {
    const l = log.get(run.id) ?? [];
    if (l[l.length - 1] !== run.status) l.push(run.status);
    log.set(run.id, l);
  });
  return log;
}

function trainLossSteps(s: Services, runId: string): number[] {
  return s.runs.metrics(runId, ['train/loss'])[0].steps;
}

describe('scheduler', () => {
  it('trains a run to the end: metrics, checkpoints, summary and status events', async () => {
    const s = await services();
    const log = statusLog(s);
    const batches: number[] = [];
    s.events.on('run.metrics', (e) => batches.push(e.points.length));
    const run = s.runs.start({ config: tinyConfig('ok', 30) });
    const end = await s.runs.waitForEnd(run.id);
    expect(end.status).toBe('finished');
    expect(log.get(run.id)).toEqual(['queued', 'running', 'finished']);
    expect(end.steps).toBe(30);
    expect(end.backend).toBe('scripted');
    expect(end.lastTrainLoss).toBeCloseTo(3 * Math.exp(-30 / 40) + 0.5 + 0.01 * Math.sin(30 * 7.3), 10);
    expect(end.bestValLoss).not.toBeNull();
    expect(trainLossSteps(s, run.id)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(s.store.checkpoints.list(run.id).map((c) => c.step)).toEqual([10, 20, 30]);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(30 * 5 + 3);
    expect(s.store.metrics.committedBatches(run.id).length).toBe(batches.length);
  });

  it('keeps checkpoint.keep periodic checkpoints on disk plus the best and the last; records stay', async () => {
    const s = await services();
    const run = s.runs.start({ config: tinyConfig('keep', 100, { checkpoint: { every: 10, keep: 3 } }) });
    await s.runs.waitForEnd(run.id);
    const live = s.store.checkpoints.list(run.id).map((c) => c.step);
    expect(live).toEqual([70, 80, 90, 100]); // loss only falls here, so the best is also the last
    for (const c of s.store.checkpoints.list(run.id)) expect(fs.existsSync(c.path)).toBe(true);
    const all = s.store.db.prepare('SELECT step, pruned_at IS NOT NULL AS pruned FROM checkpoints WHERE run_id = ? ORDER BY step').all(run.id) as { step: number; pruned: number }[];
    expect(all.map((c) => c.step)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(all.filter((c) => c.pruned).map((c) => c.step)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(fs.readdirSync(path.dirname(s.store.checkpoints.latest(run.id)!.path)).sort()).toEqual(live.map((n) => `step-${String(n).padStart(8, '0')}`));
  });

  it('runs one at a time by default and several when concurrency allows', async () => {
    const untilRunning = (sv: Services, runId: string): Promise<void> =>
      new Promise((resolve) => {
        const off = sv.events.on('run.status', ({ run }) => {
          if (run.id !== runId || run.status !== 'running') return;
          off();
          resolve();
        });
      });
    const s = await services();
    const a = s.runs.start({ config: tinyConfig('a ms=5', 100_000) });
    const b = s.runs.start({ config: tinyConfig('b ms=5', 20) });
    await untilRunning(s, a.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(s.store.runs.require(b.id).status).toBe('queued');
    const bRunning = untilRunning(s, b.id);
    s.runs.stop(a.id);
    const endA = await s.runs.waitForEnd(a.id);
    await bRunning;
    const endB = await s.runs.waitForEnd(b.id);
    expect(endB.status).toBe('finished');
    expect(endB.startedAt!).toBeGreaterThanOrEqual(endA.endedAt!);

    const s2 = await services({ concurrency: 2 });
    const c = s2.runs.start({ config: tinyConfig('c ms=5', 100_000) });
    const d = s2.runs.start({ config: tinyConfig('d ms=5', 100_000) });
    await Promise.all([untilRunning(s2, c.id), untilRunning(s2, d.id)]);
    expect([s2.store.runs.require(c.id).status, s2.store.runs.require(d.id).status]).toEqual(['running', 'running']);
    s2.runs.stop(c.id);
    s2.runs.stop(d.id);
    const ends = await Promise.all([s2.runs.waitForEnd(c.id), s2.runs.waitForEnd(d.id)]);
    expect(ends.map((e) => e.status)).toEqual(['stopped', 'stopped']);
  });

  it('a crashing worker marks only its run crashed; the other run finishes', async () => {
    const s = await services({ concurrency: 2 });
    const bad = s.runs.start({ config: tinyConfig('bad crash@17 ms=2', 40) });
    const good = s.runs.start({ config: tinyConfig('good ms=2', 40) });
    const endBad = await s.runs.waitForEnd(bad.id);
    expect(endBad.status).toBe('crashed');
    expect(endBad.error).toMatch(/crashed: scripted crash at step 17/);
    expect((await s.runs.waitForEnd(good.id)).status).toBe('finished');
    // Resume restarts from the last checkpoint (step 10); the scripted bug crashes it again at 17.
    s.runs.resume(bad.id);
    const again = await s.runs.waitForEnd(bad.id);
    expect(again.status).toBe('crashed');
    const attempt2 = s.store.metrics.committedBatches(bad.id).filter((b) => b.attempt === 2);
    expect(attempt2[0].firstStep).toBe(11);
  });

  it('an out-of-memory worker marks its run crashed and leaves the process alive', async () => {
    const s = await services({ resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 } });
    const run = s.runs.start({ config: tinyConfig('oom', 10) });
    const end = await s.runs.waitForEnd(run.id);
    expect(end.status).toBe('crashed');
    expect(end.error).toMatch(/ran out of memory/);
    const next = s.runs.start({ config: tinyConfig('after', 10) });
    expect((await s.runs.waitForEnd(next.id)).status).toBe('finished');
  });

  it('a non-finite loss pauses the run at its last good checkpoint, and NaN is stored as NaN', async () => {
    const s = await services();
    const run = s.runs.start({ config: tinyConfig('nan@13', 40) });
    const end = await s.runs.waitForEnd(run.id);
    expect(end.status).toBe('paused');
    expect(end.error).toBe('non-finite loss at step 13 (step 13); paused at its last good checkpoint (step 10)');
    const series = s.runs.metrics(run.id, ['train/loss'])[0];
    expect(series.steps[series.steps.length - 1]).toBe(13);
    expect(series.values[series.values.length - 1]).toBe('NaN');
  });

  it('stop writes a checkpoint and resume continues from it with continuous step numbers', async () => {
    const s = await services();
    const run = s.runs.start({ config: tinyConfig('stoppable ms=5', 200) });
    await new Promise<void>((resolve) => {
      const off = s.events.on('run.metrics', (e) => {
        if (e.runId === run.id && e.points.some((p) => p.step >= 23)) {
          off();
          resolve();
        }
      });
    });
    s.runs.stop(run.id);
    const stopped = await s.runs.waitForEnd(run.id);
    expect(stopped.status).toBe('stopped');
    const ckpt = s.store.checkpoints.latest(run.id)!;
    expect(ckpt.step).toBe(stopped.steps);

    const log = statusLog(s);
    s.runs.resume(run.id);
    await new Promise((r) => setTimeout(r, 100));
    s.runs.pause(run.id);
    const paused = await s.runs.waitForEnd(run.id);
    expect(paused.status).toBe('paused');
    s.runs.resume(run.id);
    const done = await s.runs.waitForEnd(run.id);
    expect(done.status).toBe('finished');
    expect(log.get(run.id)).toEqual(['queued', 'running', 'paused', 'queued', 'running', 'finished']);
    expect(trainLossSteps(s, run.id)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(s.store.metrics.committedBatches(run.id).map((b) => b.attempt).filter((v, i, a) => a.indexOf(v) === i)).toEqual([1, 2, 3]);
  });

  it('stopping a queued run takes it out of the queue', async () => {
    const s = await services();
    const a = s.runs.start({ config: tinyConfig('first ms=2', 20) });
    const b = s.runs.start({ config: tinyConfig('second', 20) });
    s.runs.stop(b.id);
    expect((await s.runs.waitForEnd(b.id)).status).toBe('stopped');
    expect((await s.runs.waitForEnd(a.id)).status).toBe('finished');
    expect(s.runs.metrics(b.id)).toEqual([]);
  });

  it('a worker that ignores stop is terminated after the timeout; the run stays resumable', async () => {
    const s = await services({ stopTimeoutMs: 300 });
    const run = s.runs.start({ config: tinyConfig('hang ms=5', 10_000) });
    await new Promise((r) => setTimeout(r, 400));
    s.runs.stop(run.id);
    const end = await s.runs.waitForEnd(run.id);
    expect(end.status).toBe('stopped');
    expect(end.error).toMatch(/did not stop in time/);
  });

  it('feeds committed metrics to the monitor and stores and emits what it raises', async () => {
    const seen: number[] = [];
    const monitorFactory: MonitorFactory = () => ({
      observe(points) {
        seen.push(...points.filter((p) => p.key === 'train/loss').map((p) => p.step));
        const hit = points.find((p) => p.key === 'train/loss' && p.step === 12);
        return hit
          ? [{ kind: 'plateau', severity: 'warning', step: 12, stepEnd: null, message: 'flat', advice: 'raise lr', evidence: { loss: hit.value } }]
          : [];
      },
      alerts: () => [],
      recompute: () => [],
    });
    const s = await services({ monitorFactory });
    const fired: string[] = [];
    s.events.on('run.alert', (e) => fired.push(`${e.alert.kind}@${e.alert.step}`));
    const run = s.runs.start({ config: tinyConfig('monitored', 20) });
    const end = await s.runs.waitForEnd(run.id);
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(fired).toEqual(['plateau@12']);
    expect(end.alertCount).toBe(1);
    expect(s.runs.alerts(run.id)[0]).toMatchObject({ kind: 'plateau', step: 12, evidence: { loss: expect.any(Number) } });
  });

  it('recovers a run another process left running while this one is open, and refuses to stop a live one', async () => {
    const s = await services();
    const cfg = resolveConfig(tinyConfig('elsewhere', 20));
    if (!cfg.ok) throw new Error('config');
    const dead = s.store.runs.create({ name: 'dead', config: cfg.config, status: 'running', ownerPid: 2 ** 22 + 4242 });
    const live = s.store.runs.create({ name: 'live', config: cfg.config, status: 'running', ownerPid: process.ppid });
    expect(() => s.runs.stop(live.id)).toThrow(`run ${live.id} is being trained by another Loupe process (pid ${process.ppid}); stop it there`);
    expect(s.runs.resume(dead.id).run.status).toBe('queued');
    expect((await s.runs.waitForEnd(dead.id)).status).toBe('finished');
  });

  it('rejects a bad config before anything starts, naming every field', async () => {
    const s = await services();
    const bad = (): unknown => s.runs.start({ config: { train: { lr: -1, steps: 'x' }, model: { n_head: 3 } } });
    for (const field of ['train.lr', 'train.steps', 'model.d_model']) expect(bad).toThrow(field);
    expect(() => s.runs.start({ config: { data: { corpus: '/nope/missing.txt' } } })).toThrow('dataset file /nope/missing.txt not found (data.corpus)');
    expect(s.runs.list()).toEqual([]);
  });

  it('a full disk fails the run with a line naming the database, keeps what was committed and the process alive', async () => {
    const s = await services();
    const run = s.runs.start({ config: tinyConfig('filling ms=2', 100_000) });
    await new Promise<void>((resolve) => {
      const off = s.events.on('run.metrics', () => {
        off();
        resolve();
      });
    });
    const pages = s.store.db.pragma('page_count', { simple: true }) as number;
    s.store.db.pragma(`max_page_count = ${pages + 2}`); // what SQLite reports when the disk is full: SQLITE_FULL
    const end = await s.runs.waitForEnd(run.id);
    s.store.db.pragma('max_page_count = 1073741823');
    const final = s.store.runs.require(run.id);
    expect(end.status).toBe('failed');
    expect(final.error).toBe(`disk full while writing ${s.dbFile}; free some space and try again`);
    const committed = s.store.metrics.committedBatches(run.id);
    expect(committed.length).toBeGreaterThan(0);
    const steps = s.runs.metrics(run.id, ['train/loss'])[0].steps;
    expect(steps[steps.length - 1]).toBe(committed[committed.length - 1].lastStep);
    expect(s.store.integrityCheck()).toBe('ok');
    const next = s.runs.start({ config: tinyConfig('after', 10) });
    expect((await s.runs.waitForEnd(next.id)).status).toBe('finished');
  });
});
