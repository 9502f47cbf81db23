// Checkpoints are checked against the SHA-256 stored when they were written before `sample` or `resume` uses them:
// resume falls back to the newest good one (saying which it skipped), `--from STEP` picks one, a damaged pick is an
// error naming the file, and a resume that fails before training leaves the run as it was.
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { Services } from '../services.ts';
import { ServiceError } from './errors.ts';
import { scriptedServices, tinyConfig } from '../scheduler/testing/harness.ts';

let open: Services[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

/** A run with checkpoints at steps 10, 20, 30 and 40, stopped (so it can be resumed). */
async function stoppedRun(): Promise<{ s: Services; runId: string; folder: (step: number) => string }> {
  const s = await scriptedServices();
  open.push(s);
  const run = s.runs.start({ config: tinyConfig('four checkpoints', 40) });
  expect((await s.runs.waitForEnd(run.id)).status).toBe('finished');
  s.store.runs.setStatus(run.id, 'stopped', null);
  const folders = new Map(s.runs.checkpoints(run.id).map((c) => [c.step, c.path]));
  expect([...folders.keys()]).toEqual([10, 20, 30, 40]);
  return { s, runId: run.id, folder: (step) => folders.get(step)! };
}

function flipByte(file: string): void {
  const bytes = fs.readFileSync(file);
  bytes[bytes.length >> 1] ^= 0xff;
  fs.writeFileSync(file, bytes);
}

function serviceError(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ServiceError);
    return e as ServiceError;
  }
  throw new Error('expected a ServiceError');
}

describe('resume and sample check checkpoints first', () => {
  it('resume skips a damaged newest checkpoint, names it, and continues from the newest good one', async () => {
    const { s, runId, folder } = await stoppedRun();
    const weights = path.join(folder(40), 'model.safetensors');
    flipByte(weights);
    const logs: string[] = [];
    s.events.on('run.log', (e) => logs.push(`${e.level}: ${e.message}`));
    const r = s.runs.resume(runId);
    expect(r.from?.step).toBe(30);
    expect(r.skipped).toHaveLength(1);
    expect(r.skipped[0]).toContain(weights);
    expect(r.skipped[0]).toMatch(/damaged.*SHA-256/);
    expect(logs.some((l) => l.startsWith('warn:') && l.includes(weights))).toBe(true);
    const end = await s.runs.waitForEnd(runId);
    expect(end.status).toBe('finished');
    expect(end.steps).toBe(40);
  });

  it('resume skips a missing newest checkpoint folder', async () => {
    const { s, runId, folder } = await stoppedRun();
    fs.rmSync(folder(40), { recursive: true });
    const r = s.runs.resume(runId);
    expect(r.from?.step).toBe(30);
    expect(r.skipped[0]).toMatch(/missing/);
    expect((await s.runs.waitForEnd(runId)).status).toBe('finished');
  });

  it('--from STEP resumes from that checkpoint; a damaged or absent one is an error and changes nothing', async () => {
    const { s, runId, folder } = await stoppedRun();
    flipByte(path.join(folder(20), 'model.safetensors'));
    const damaged = serviceError(() => s.runs.resume(runId, { fromStep: 20 }));
    expect(damaged.code).toBe('conflict');
    expect(damaged.message).toContain(path.join(folder(20), 'model.safetensors'));
    const absent = serviceError(() => s.runs.resume(runId, { fromStep: 25 }));
    expect(absent.code).toBe('not_found');
    expect(absent.message).toContain('10, 20, 30, 40');
    expect(s.runs.summary(runId).status).toBe('stopped');

    const r = s.runs.resume(runId, { fromStep: 10 });
    expect(r.from?.step).toBe(10);
    expect(r.skipped).toEqual([]);
    expect((await s.runs.waitForEnd(runId)).status).toBe('finished');
    const steps = s.runs.metrics(runId, ['train/loss'])[0]!.steps;
    expect(steps).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('no usable checkpoint at all is an error naming each, and the run stays as it was', async () => {
    const { s, runId, folder } = await stoppedRun();
    for (const step of [10, 20, 30, 40]) flipByte(path.join(folder(step), 'model.safetensors'));
    const e = serviceError(() => s.runs.resume(runId));
    expect(e.message).toMatch(/no usable checkpoint/);
    for (const step of [10, 40]) expect(e.message).toContain(folder(step));
    expect(s.runs.summary(runId).status).toBe('stopped');
  });

  it('a resume that fails while loading leaves the run stopped, with the reason, not failed or crashed', async () => {
    const { s, runId, folder } = await stoppedRun();
    // The weights still match their SHA-256; the training state beside them does not parse.
    fs.writeFileSync(path.join(folder(40), 'state.json'), '{ not json');
    s.runs.resume(runId);
    const end = await s.runs.waitForEnd(runId);
    expect(end.status).toBe('stopped');
    expect(end.error).toMatch(/^resume failed: /);
    expect(end.endedAt).not.toBeNull();
  });

  it('sample refuses a damaged checkpoint, naming the file, before any worker starts', async () => {
    const { s, runId, folder } = await stoppedRun();
    const weights = path.join(folder(40), 'model.safetensors');
    flipByte(weights);
    const e = serviceError(() => s.samples.generate({ target: { runId, step: null }, prompt: 'Call me' }));
    expect(e.code).toBe('conflict');
    expect(e.message).toContain(weights);
    const again = serviceError(() => s.samples.generate({ target: { runId, step: 40 }, prompt: 'Call me' }));
    expect(again.message).toContain(weights);
  });
});
