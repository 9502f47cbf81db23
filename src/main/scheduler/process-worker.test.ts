// Process isolation for native backends: the engine in a forked process trains like a thread does, and a native
// crash (abort) or a heap blow-up ends only that process — the run is marked crashed, main and other runs go on.
import { describe, it, expect, afterEach } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Services } from '../services.ts';
import { createServices } from '../services.ts';
import { isolationFor, processWorkerFactory } from './engine-worker.ts';
import { scriptedEngineEntry, tempDir, tinyConfig } from './testing/harness.ts';

let open: Services[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

async function processServices(opts: { engine?: URL; heapMb?: number; concurrency?: number } = {}): Promise<Services> {
  // The children's own output (V8's out-of-memory report) is not this test's business.
  const output = new PassThrough();
  output.resume();
  const s = await createServices({
    dataDir: tempDir(),
    monitorFactory: null,
    concurrency: opts.concurrency,
    createWorker: processWorkerFactory({ entry: opts.engine ?? scriptedEngineEntry, maxOldGenerationSizeMb: opts.heapMb, output }),
  });
  open.push(s);
  return s;
}

describe('engine in a child process', () => {
  it('chooses a process for native backends and a thread for wasm/cpu; LOUPE_ISOLATION overrides', () => {
    const none = (): boolean => false;
    expect(isolationFor('tensorflow', {}, none)).toBe('process');
    expect(isolationFor('webgpu', {}, none)).toBe('process');
    expect(isolationFor('wasm', {}, none)).toBe('thread');
    expect(isolationFor('cpu', {}, none)).toBe('thread');
    expect(isolationFor('auto', {}, none)).toBe('thread');
    expect(isolationFor('auto', {}, () => true)).toBe('process');
    expect(isolationFor('wasm', { LOUPE_ISOLATION: 'process' }, none)).toBe('process');
    expect(isolationFor('tensorflow', { LOUPE_ISOLATION: 'thread' }, none)).toBe('thread');
  });

  it('trains to the end with every metric batch and checkpoint delivered', async () => {
    const s = await processServices();
    const run = s.runs.start({ config: tinyConfig('proc ms=2', 30) });
    const end = await s.runs.waitForEnd(run.id);
    expect(end.status).toBe('finished');
    expect(end.steps).toBe(30);
    expect(s.runs.metrics(run.id, ['train/loss'])[0].steps).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(s.store.checkpoints.list(run.id).map((c) => c.step)).toEqual([10, 20, 30]);
  });

  it('a native crash (abort) marks only its run crashed; main and the other run go on, and it resumes', async () => {
    const s = await processServices({ concurrency: 2 });
    const bad = s.runs.start({ config: tinyConfig('bad abort@17 ms=2', 40) });
    const good = s.runs.start({ config: tinyConfig('good ms=2', 40) });
    const endBad = await s.runs.waitForEnd(bad.id);
    expect(endBad.status).toBe('crashed');
    expect(endBad.error).toMatch(/killed by SIGABRT \(a native crash or out of memory\)/);
    expect((await s.runs.waitForEnd(good.id)).status).toBe('finished');
    const committed = s.store.metrics.committedBatches(bad.id);
    expect(committed.length).toBeGreaterThan(0);
    expect(committed[committed.length - 1].lastStep).toBeLessThan(17);
    s.runs.resume(bad.id);
    expect((await s.runs.waitForEnd(bad.id)).status).toBe('crashed');
    expect(s.store.metrics.committedBatches(bad.id).find((b) => b.attempt === 2)?.firstStep).toBe(11);
  });

  it('a heap that outgrows its limit ends the child, not main', async () => {
    const s = await processServices({ heapMb: 64 });
    const run = s.runs.start({ config: tinyConfig('oom', 10) });
    const end = await s.runs.waitForEnd(run.id);
    expect(end.status).toBe('crashed');
    expect(end.error).toMatch(/training process was killed by SIGABRT \(a native crash or out of memory\)/);
    const next = s.runs.start({ config: tinyConfig('after', 10) });
    expect((await s.runs.waitForEnd(next.id)).status).toBe('finished');
  });

  it('runs the real engine (wasm) in a process', async () => {
    const dir = tempDir();
    const corpus = path.join(dir, 'tiny.txt');
    fs.writeFileSync(corpus, 'call me ishmael. some years ago, never mind how long precisely. '.repeat(60));
    const s = await processServices({ engine: new URL('../engine/worker.ts', import.meta.url) });
    const run = s.runs.start({
      config: {
        name: 'real-in-process',
        backend: 'wasm',
        data: { corpus, tokenizer: 'byte' },
        model: { n_layer: 1, n_head: 2, d_model: 16, block_size: 16 },
        train: { steps: 6, batch_size: 4, warmup_steps: 1 },
        eval: { every: 3, batches: 1 },
        checkpoint: { every: 3 },
      },
    });
    const end = await s.runs.waitForEnd(run.id);
    expect(end.error).toBeNull();
    expect(end.status).toBe('finished');
    expect(end.backend).toBe('wasm');
    expect(s.store.checkpoints.list(run.id).map((c) => c.step)).toEqual([3, 6]);
  });
});
