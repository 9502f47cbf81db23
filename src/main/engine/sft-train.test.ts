// Fine-tuning end to end in the engine: init_from loads weights with a fresh optimizer (step-0 val loss equals the
// source's on the same data), SFT rows train on responses only, and each eval records the sft/* probe.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from './tf.ts';
import { Trainer, runTraining, type TrainHooks } from './train.ts';
import { tinyConfig, tinyText } from './testing/tiny.ts';
import type { MetricPoint } from '../../shared/metrics.ts';
import { builtinSftSet } from './data/sft-builtin.ts';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'loupe-sft-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hooks = (points: MetricPoint[]): TrainHooks => ({
  started: () => undefined,
  metrics: (p) => void points.push(...p),
  checkpoint: () => undefined,
  control: () => null,
});

describe('fine-tuning', () => {
  const model = { n_layer: 1, n_head: 2, d_model: 16, block_size: 96 };

  it('init_from starts from the source weights: step-0 val loss equals the source checkpoint\'s', async () => {
    const textFile = join(dir, 'text.txt');
    writeFileSync(textFile, tinyText(6000));
    const src = new Trainer({ config: tinyConfig({ data: { corpus: textFile }, model, train: { steps: 6 } }), backend: 'cpu' });
    await runTraining(src, join(dir, 'src'), hooks([]));
    const ck = src.saveCheckpoint(join(dir, 'src'));
    const srcVal = src.lastValLoss!;
    src.dispose();
    const child = new Trainer({ config: tinyConfig({ data: { corpus: textFile }, model, train: { steps: 6, lr: 1e-4 } }), backend: 'cpu', initFrom: ck.path });
    expect(child.step).toBe(0);
    expect(child.evaluate()).toBeCloseTo(srcVal, 6);
    // Fresh optimizer: no moments carried over.
    const state = child.optimizer.state();
    expect(state.step).toBe(0);
    for (const slot of state.slots.values()) for (const v of slot.values()) expect(v.every((x) => x === 0)).toBe(true);
    child.dispose();
  });

  it('trains on the built-in set with masked targets and records sft/* at each eval, tensors flat', async () => {
    const corpus = join(dir, 'qa.jsonl');
    writeFileSync(corpus, builtinSftSet(120).map((r) => JSON.stringify({ prompt: r.turns[0]!.content, response: r.turns[1]!.content, keywords: r.keywords })).join('\n'));
    const t = new Trainer({
      config: tinyConfig({ data: { corpus }, model, train: { steps: 4, batch_size: 4 }, eval: { every: 2, batches: 2 } }),
      backend: 'cpu',
    });
    expect(t.sftHeldOut).toHaveLength(12);
    t.trainStep();
    const before = tf.memory().numTensors;
    t.trainStep();
    expect(tf.memory().numTensors).toBe(before);
    const points: MetricPoint[] = [];
    await runTraining(t, null, hooks(points));
    const keys = new Set(points.map((p) => p.key));
    for (const k of ['sft/sameness', 'sft/keyword_acc', 'sft/length_ratio', 'sft/loop_fraction', 'val/loss']) expect(keys.has(k)).toBe(true);
    t.dispose();
  }, 120_000);
});
