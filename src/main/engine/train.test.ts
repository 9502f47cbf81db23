// The train loop: determinism from a seed, bit-identical resume, checkpoints, evals and flat tensor counts.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from './tf.ts';
import { Trainer, runTraining, stepMetrics, TrainingError, type TrainHooks } from './train.ts';
import { tinyConfig, tinyText } from './testing/tiny.ts';
import type { MetricPoint } from '../../shared/metrics.ts';
import type { RunConfigInput } from '../../shared/config.ts';

const text = tinyText();
const make = (o: RunConfigInput = {}, resumeFrom: string | null = null): Trainer =>
  new Trainer({ config: tinyConfig({ data: { tokenizer: 'char' }, ...o }), backend: 'cpu', text, resumeFrom });

function same(a: Map<string, Float32Array>, b: Map<string, Float32Array>): boolean {
  for (const [k, v] of a) {
    const w = b.get(k)!;
    for (let i = 0; i < v.length; i++) if (v[i] !== w[i]) return false;
  }
  return true;
}

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'loupe-train-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Trainer', () => {
  it('overfits one batch to near zero loss', () => {
    const t = make({ model: { n_layer: 2, n_head: 2, d_model: 32, block_size: 8 }, train: { steps: 300, lr: 1e-2, min_lr: 1e-2, warmup_steps: 0, schedule: 'constant', weight_decay: 0 } });
    const batch = t.data.nextTrainBatch(4);
    const first = t.trainStep(batch).loss;
    let last = first;
    for (let i = 0; i < 100; i++) last = t.trainStep(batch).loss;
    expect(first).toBeGreaterThan(2);
    expect(last).toBeLessThan(0.05);
    t.dispose();
  });

  it('keeps tf.memory().numTensors flat across 50 steps (with eval and micro-batching)', () => {
    const t = make({ train: { batch_size: 4, micro_batch_size: 2, steps: 100 } });
    t.trainStep();
    t.evaluate();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) t.trainStep();
    t.evaluate();
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
  });

  it('is deterministic: same seed → same weights (with dropout), another seed differs', () => {
    const run = (seed: number): Map<string, Float32Array> => {
      const t = make({ seed, model: { n_layer: 2, n_head: 2, d_model: 16, block_size: 8, dropout: 0.1 } });
      for (let i = 0; i < 5; i++) t.trainStep();
      const s = t.snapshot();
      t.dispose();
      return s;
    };
    expect(same(run(7), run(7))).toBe(true);
    expect(same(run(7), run(8))).toBe(false);
  });

  it('resumes bit-identically: N straight = N/2 + save + load + N/2 (dropout on)', () => {
    const o: RunConfigInput = { seed: 3, model: { n_layer: 2, n_head: 2, d_model: 16, block_size: 8, dropout: 0.1 } };
    const straight = make(o);
    for (let i = 0; i < 6; i++) straight.trainStep();
    const a = straight.snapshot();
    straight.dispose();

    const first = make(o);
    for (let i = 0; i < 3; i++) first.trainStep();
    const saved = first.saveCheckpoint(join(dir, 'resume'));
    first.dispose();
    const second = make(o, saved.path);
    expect(second.step).toBe(3);
    expect(() => make({ ...o, seed: 4 }, saved.path)).toThrow(/^resumeFrom: the checkpoint was trained with a different seed$/);
    for (let i = 0; i < 3; i++) second.trainStep();
    expect(same(a, second.snapshot())).toBe(true);
    second.dispose();
  });

  it('round-trips a checkpoint: save → load → same logits', () => {
    const t = make();
    for (let i = 0; i < 2; i++) t.trainStep();
    const saved = t.saveCheckpoint(join(dir, 'roundtrip'));
    const x = tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8]], [1, 8], 'int32');
    const logits = (m: Trainer): number[] => tf.tidy(() => Array.from(m.model.forward(x, { training: false }).logits.dataSync()));
    const before = logits(t);
    const loaded = make({}, saved.path);
    expect(logits(loaded)).toEqual(before);
    expect(saved.sha256).toMatch(/^[0-9a-f]{64}$/);
    x.dispose();
    t.dispose();
    loaded.dispose();
  });

  it('adds the dispersion loss when enabled and reports it apart from the cross-entropy', () => {
    const plain = make({ seed: 9 });
    const disp = make({ seed: 9, train: { dispersion: { weight: 0.5, tau: 0.5, variant: 'angular_spread' } } });
    const a = plain.trainStep();
    const b = disp.trainStep();
    expect(Object.keys(a.parts)).toEqual(['ce']);
    expect(a.parts.ce).toBe(a.loss);
    expect(b.loss).toBeCloseTo(a.loss, 5); // same weights, same batch: same cross-entropy
    expect(b.parts.ce).toBeCloseTo(a.parts.ce!, 5);
    expect(Object.keys(b.parts)).toEqual(['ce', 'dispersion']);
    expect(Number.isFinite(b.parts.dispersion!)).toBe(true);
    expect(stepMetrics(b).map((p) => p.key)).toEqual(expect.arrayContaining(['train/ce', 'train/dispersion', 'train/loss']));
    expect(same(plain.snapshot(), disp.snapshot())).toBe(false); // its gradient moved the weights differently
    plain.dispose();
    disp.dispose();
  });

  it('records each part of the objective: label smoothing and z-loss as what they add to the plain cross-entropy', () => {
    const plain = make({ seed: 9 });
    const both = make({ seed: 9, train: { label_smoothing: 0.1, z_loss: 1e-3 } });
    const a = plain.trainStep();
    const b = both.trainStep();
    expect(Object.keys(b.parts)).toEqual(['ce', 'label_smoothing', 'z_loss']);
    expect(b.parts.ce).toBeCloseTo(a.parts.ce!, 5); // same weights, same batch
    // train/loss is the smoothed cross-entropy plus the z-loss: ce plus the two parts.
    expect(b.loss).toBeCloseTo(b.parts.ce! + b.parts.label_smoothing! + b.parts.z_loss!, 5);
    // Near-uniform predictions at init: smoothing moves the loss by little, and either way.
    expect(b.parts.label_smoothing).not.toBe(0);
    expect(b.parts.z_loss).toBeGreaterThan(0);
    plain.dispose();
    both.dispose();
  });

  it('reports a non-finite loss as a TrainingError and leaves the weights alone', () => {
    const t = make();
    const poisoned = t.snapshot();
    poisoned.get('transformer.ln_f.weight')![0] = Number.NaN;
    t.setParams(poisoned);
    const before = t.snapshot();
    let err: unknown;
    try {
      t.trainStep();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TrainingError);
    expect((err as TrainingError).nonFinite).toBe(true);
    expect((err as TrainingError).message).toMatch(/non-finite loss at step 1/);
    expect(t.step).toBe(0);
    const after = t.snapshot();
    expect(Array.from(after.get('transformer.h.0.mlp.c_fc.weight')!)).toEqual(Array.from(before.get('transformer.h.0.mlp.c_fc.weight')!));
    t.dispose();
  });
});

describe('runTraining', () => {
  function hooks(stopAfter = Infinity): TrainHooks & { points: MetricPoint[]; ckpts: number[]; startedAt: number[] } {
    const h = {
      points: [] as MetricPoint[],
      ckpts: [] as number[],
      startedAt: [] as number[],
      started: (i: { startStep: number }) => void h.startedAt.push(i.startStep),
      metrics: (p: MetricPoint[]) => void h.points.push(...p),
      checkpoint: (c: { step: number }) => void h.ckpts.push(c.step),
      control: () => (h.points.filter((p) => p.key === 'train/loss').length >= stopAfter ? ('stop' as const) : null),
    };
    return h;
  }

  it('hands the condensation histograms of every eval, step 0 included, to the hook', async () => {
    const t = make({ train: { steps: 4 }, eval: { every: 2, batches: 1, diagnostics: true }, checkpoint: { every: 4 } });
    const h = hooks();
    const got: { step: number; layers: number; total: number }[] = [];
    await runTraining(t, null, { ...h, condensation: (step, s) => got.push({ step, layers: s.layers.length, total: s.layers[1]!.histogram.reduce((a, b) => a + b, 0) }) });
    expect(got.map((g) => g.step)).toEqual([0, 2, 4]);
    // embedding output + 2 blocks; every pair of distinct tokens of the held-out text counted once
    expect(got.every((g) => g.layers === 3 && g.total === (8 * 7) / 2)).toBe(true);
    expect(h.points.filter((p) => p.key === 'diag/condensation/layer_2').map((p) => p.step)).toEqual([0, 2, 4]);
  });

  it('streams per-step metrics, evals every N, checkpoints every N and at the end', async () => {
    const t = make({ train: { steps: 10 }, eval: { every: 5, batches: 2 }, checkpoint: { every: 4 } });
    const h = hooks();
    const out = await runTraining(t, join(dir, 'run1'), h);
    expect(out).toEqual({ status: 'finished', step: 10, reason: null });
    const keys = new Set(h.points.map((p) => p.key));
    for (const k of ['train/loss', 'train/lr', 'train/grad_norm', 'train/clipped', 'train/tokens_per_s', 'train/step_ms', 'train/tokens_seen', 'val/loss', 'val/ppl'])
      expect(keys.has(k), k).toBe(true);
    expect(h.points.filter((p) => p.key === 'val/loss').map((p) => p.step)).toEqual([0, 5, 10]);
    expect(h.points.find((p) => p.key === 'train/tokens_seen' && p.step === 10)!.value).toBe(10 * 4 * 8);
    expect(h.ckpts).toEqual([4, 8, 10]);
    expect(readdirSync(join(dir, 'run1')).sort()).toEqual(['step-00000004', 'step-00000008', 'step-00000010']);
    t.dispose();
  });

  it('stops early when val loss stops improving', async () => {
    const t = make({ train: { steps: 50, lr: 1e-12, min_lr: 0, warmup_steps: 0, schedule: 'constant', early_stopping_patience: 2 }, eval: { every: 2, batches: 1 } });
    const out = await runTraining(t, null, hooks());
    expect(out.status).toBe('finished');
    expect(out.step).toBe(4);
    expect(out.reason).toMatch(/^early stopping/);
    t.dispose();
  });

  it('on a non-finite loss throws without writing a checkpoint', async () => {
    const t = make({ train: { steps: 10 }, checkpoint: { every: 1 } });
    const w = t.snapshot();
    w.get('transformer.wte.weight')![3] = Number.POSITIVE_INFINITY;
    t.setParams(w);
    const h = hooks();
    await expect(runTraining(t, join(dir, 'run-nan'), h)).rejects.toMatchObject({ nonFinite: true, step: 1 });
    expect(h.ckpts).toEqual([]);
    expect(existsSync(join(dir, 'run-nan'))).toBe(false);
    t.dispose();
  });

  it('honours a stop request between steps and writes a checkpoint there', async () => {
    const t = make({ train: { steps: 50 }, checkpoint: { every: 100 } });
    const h = hooks(3);
    const out = await runTraining(t, join(dir, 'run2'), h);
    expect(out.status).toBe('stopped');
    expect(out.step).toBe(3);
    expect(h.ckpts).toEqual([3]);
    // It evaluates where it stopped, so its best and final val are not the initialisation's.
    expect(h.points.filter((p) => p.key === 'val/loss').map((p) => p.step)).toEqual([0, 3]);
    expect(existsSync(join(dir, 'run2', 'step-00000003', 'model.safetensors'))).toBe(true);
    t.dispose();
  });
});
