// The training worker's protocol: started (backend and why), metrics, checkpoints, resume, and clear errors.
import { describe, it, expect, afterAll } from 'vitest';
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FromWorker } from '../../shared/worker-protocol.ts';
import { tinyConfig, tinyText } from './testing/tiny.ts';

const dir = mkdtempSync(join(tmpdir(), 'loupe-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the real worker entry through the tsx boot file and collects its messages until it exits. */
function runWorker(start: unknown, after?: (w: Worker, msgs: FromWorker[]) => void): Promise<FromWorker[]> {
  const w = new Worker(new URL('../ts-worker-boot.mjs', import.meta.url), {
    workerData: { __entry: new URL('./worker.ts', import.meta.url).href },
  });
  const msgs: FromWorker[] = [];
  return new Promise((resolve, reject) => {
    w.on('message', (m: unknown) => {
      msgs.push(FromWorker.parse(m));
      after?.(w, msgs);
      const last = msgs[msgs.length - 1];
      if (last.type === 'done' || last.type === 'error') void w.terminate().then(() => resolve(msgs));
    });
    w.on('error', reject);
    w.postMessage(start);
  });
}

describe('training worker', () => {
  it('trains, streams seq-numbered metric batches and checkpoints, then reports done', async () => {
    const corpus = join(dir, 'corpus.txt');
    writeFileSync(corpus, tinyText());
    const config = tinyConfig({ backend: 'cpu', data: { corpus, tokenizer: 'byte' }, train: { steps: 6, workers: 1 }, eval: { every: 3, batches: 1 }, checkpoint: { every: 3 } });
    const msgs = await runWorker({ type: 'start', runId: 'r1', config, checkpointDir: join(dir, 'ckpt'), resumeFrom: null });
    const started = msgs.find((m) => m.type === 'started');
    expect(started).toMatchObject({ type: 'started', backend: 'cpu', tokensPerUpdate: 4 * 8, microBatch: 4, accumulation: 1, workers: 1, startStep: 0 });
    // The reason travels with every run: here, that cpu was asked for by name.
    expect(started).toMatchObject({ backendReason: expect.stringMatching(/\S/) });
    const batches = msgs.filter((m) => m.type === 'metrics');
    expect(batches.map((m) => m.seq)).toEqual(batches.map((_, i) => i));
    const points = batches.flatMap((m) => m.points);
    expect(points.filter((p) => p.key === 'train/loss').map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(msgs.filter((m) => m.type === 'checkpoint').map((m) => m.step)).toEqual([3, 6]);
    expect(msgs[msgs.length - 1]).toEqual({ type: 'done', status: 'finished', step: 6, reason: null });

    // Resume from the step-3 checkpoint and train to 6.
    const resumed = await runWorker({ type: 'start', runId: 'r1', config, checkpointDir: join(dir, 'ckpt2'), resumeFrom: join(dir, 'ckpt', 'step-00000003') });
    expect(resumed.find((m) => m.type === 'started')).toMatchObject({ startStep: 3 });
    expect(resumed[resumed.length - 1]).toMatchObject({ type: 'done', status: 'finished', step: 6 });
  });

  it('trains on data-parallel workers, records how many, and resumes their checkpoint on another count', async () => {
    const corpus = join(dir, 'corpus-dp.txt');
    writeFileSync(corpus, tinyText());
    const config = tinyConfig({ backend: 'cpu', data: { corpus, tokenizer: 'byte' }, train: { steps: 4, workers: 2 }, eval: { every: 2, batches: 1 }, checkpoint: { every: 2 } });
    const msgs = await runWorker({ type: 'start', runId: 'r5', config, checkpointDir: join(dir, 'ckpt-dp'), resumeFrom: null });
    // Micro-batches are per worker: each takes 2 of the 4 sequences.
    expect(msgs.find((m) => m.type === 'started')).toMatchObject({ workers: 2, microBatch: 2, accumulation: 1, backendReason: expect.stringMatching(/; 2 data-parallel workers \(train\.workers 2\)$/) });
    expect(msgs.flatMap((m) => (m.type === 'metrics' ? m.points : [])).filter((p) => p.key === 'train/loss').map((p) => p.step)).toEqual([1, 2, 3, 4]);
    expect(msgs[msgs.length - 1]).toEqual({ type: 'done', status: 'finished', step: 4, reason: null });
    const one = { ...config, train: { ...config.train, workers: 1 } };
    const resumed = await runWorker({ type: 'start', runId: 'r5', config: one, checkpointDir: join(dir, 'ckpt-dp2'), resumeFrom: join(dir, 'ckpt-dp', 'step-00000002') });
    expect(resumed.find((m) => m.type === 'started')).toMatchObject({ startStep: 2, workers: 1 });
    expect(resumed[resumed.length - 1]).toMatchObject({ type: 'done', status: 'finished', step: 4 });
  });

  it('reports a missing corpus as a one-line error', async () => {
    const config = tinyConfig({ backend: 'cpu', data: { corpus: join(dir, 'missing.txt') } });
    const msgs = await runWorker({ type: 'start', runId: 'r2', config, checkpointDir: join(dir, 'c'), resumeFrom: null });
    expect(msgs[msgs.length - 1]).toEqual({ type: 'error', message: `data.corpus: file not found: ${join(dir, 'missing.txt')}`, step: null, nonFinite: false });
  });

  it('rejects a start message with a bad config value, naming the field', async () => {
    const config = { ...tinyConfig({ backend: 'cpu' }), train: { ...tinyConfig().train, lr: -1 } };
    const msgs = await runWorker({ type: 'start', runId: 'r4', config, checkpointDir: join(dir, 'c4'), resumeFrom: null });
    const last = msgs[msgs.length - 1];
    expect(last.type).toBe('error');
    expect(last.type === 'error' && last.message).toMatch(/^invalid start message: config\.train\.lr: /);
  });

  it.each([1, 2])('pauses on request between steps (%i workers)', async (workers) => {
    const corpus = join(dir, `corpus-pause-${workers}.txt`);
    writeFileSync(corpus, tinyText());
    const config = tinyConfig({ backend: 'cpu', data: { corpus }, train: { steps: 10000, warmup_steps: 10, workers }, checkpoint: { every: 100000 } });
    let sent = false;
    const msgs = await runWorker({ type: 'start', runId: 'r3', config, checkpointDir: join(dir, `c3-${workers}`), resumeFrom: null }, (w, m) => {
      if (!sent && m.some((x) => x.type === 'metrics')) {
        sent = true;
        w.postMessage({ type: 'pause' });
      }
    });
    const done = msgs[msgs.length - 1];
    expect(done).toMatchObject({ type: 'done', status: 'paused' });
    const ck = msgs.filter((m) => m.type === 'checkpoint');
    expect(ck.length).toBe(1);
    expect(ck[0].type === 'checkpoint' && done.type === 'done' && ck[0].step === done.step).toBe(true);
  });
});
