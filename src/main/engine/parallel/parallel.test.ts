// Data-parallel training on real replica threads (wasm): reproducible for a given worker count, close to one worker,
// replicas identical, checkpoints that resume with any count, and a dead replica failing the run cleanly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../backend.ts';
import { Trainer, runTraining, type TrainHooks } from '../train.ts';
import { ParallelGroup } from './group.ts';
import { shardRows } from './shard.ts';
import { tinyConfig, tinyText } from '../testing/tiny.ts';
import type { RunConfigInput } from '../../../shared/config.ts';
import type { MetricPoint } from '../../../shared/metrics.ts';

const text = tinyText(20000);
const recipe: RunConfigInput = {
  backend: 'wasm',
  model: { n_layer: 2, n_head: 2, d_model: 32, block_size: 16 },
  train: { steps: 50, batch_size: 6, warmup_steps: 5 },
  eval: { every: 10, batches: 1 },
  checkpoint: { every: 10 },
};
interface Variant {
  micro?: number | 'auto';
  dropout?: number;
  moe?: boolean;
}
const config = (steps = 50, v: Variant = {}): ReturnType<typeof tinyConfig> =>
  tinyConfig({
    ...recipe,
    model: { ...recipe.model, dropout: v.dropout ?? 0, ...(v.moe ? { moe: { experts: 4, top_k: 2 } } : {}) },
    train: { ...recipe.train, steps, micro_batch_size: v.micro ?? 'auto' },
  });

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'loupe-dp-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ran {
  losses: number[];
  weights: Float32Array;
  checks: number;
}

/** A trainer on `ranks` workers (a group from 2 on); the caller closes the group and disposes the trainer. */
async function build(ranks: number, steps: number, resumeFrom: string | null = null, checkEvery = 0, v: Variant = {}): Promise<{ trainer: Trainer; group: ParallelGroup | null }> {
  const trainer = new Trainer({ config: config(steps, v), backend: 'wasm', text, ranks, resumeFrom });
  const group = ranks > 1 ? await ParallelGroup.start(trainer, { ranks, backend: 'wasm', text, resumeFrom, checkEvery }) : null;
  trainer.parallel = group;
  return { trainer, group };
}

/** Trains to `steps`, optionally saving a checkpoint at `saveAt`; returns the losses of the steps it took and the final weights. */
async function train(ranks: number, steps: number, opts: { resumeFrom?: string; saveAt?: { step: number; dir: string }; checkEvery?: number; dropout?: number } = {}): Promise<Ran & { saved?: string }> {
  const { trainer, group } = await build(ranks, steps, opts.resumeFrom ?? null, opts.checkEvery ?? 0, { dropout: opts.dropout ?? 0 });
  try {
    const losses: number[] = [];
    let saved: string | undefined;
    while (trainer.step < steps) {
      losses.push((group ? await trainer.stepShared() : trainer.trainStep()).loss);
      if (opts.saveAt && trainer.step === opts.saveAt.step) saved = trainer.saveCheckpoint(opts.saveAt.dir).path;
    }
    const weights = new Float32Array(trainer.flatLength);
    trainer.flatParams(weights);
    return { losses, weights, checks: group?.checks ?? 0, saved };
  } finally {
    await group?.close();
    trainer.dispose();
  }
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.abs(a[i]!));
  return worst;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

describe('shardRows', () => {
  it('splits a batch into contiguous shares in rank order, the first ranks one row more', () => {
    expect([0, 1, 2, 3, 4].map((r) => shardRows(12, r, 5))).toEqual([
      { start: 0, count: 3 },
      { start: 3, count: 3 },
      { start: 6, count: 2 },
      { start: 8, count: 2 },
      { start: 10, count: 2 },
    ]);
  });
});

describe('data-parallel training (wasm, replica threads)', () => {
  // Same batches, same init: only the order in which per-sequence gradients are added differs (each rank sums its
  // share in its own backward pass, then the shares are added in float64 and rounded once), a few float32 ulps per
  // step, which AdamW's 1/√v carries into the weights. Measured over 50 steps: losses within 1.2e-7 relative,
  // weights within 6e-7 absolute (2 and 3 workers). The bounds below leave ~15× room; a real fault (a wrong share,
  // a lost or doubled micro-batch, a stale gradient) moves the loss by 1e-3 or more.
  it('matches one worker to float tolerance over 50 steps, with 2 and 3 workers', async () => {
    const one = await train(1, 50);
    for (const n of [2, 3]) {
      const many = await train(n, 50);
      expect(many.losses).toHaveLength(50);
      expect(maxRelDiff(one.losses, many.losses), `${n} workers: losses`).toBeLessThan(2e-6);
      expect(maxAbsDiff(one.weights, many.weights), `${n} workers: weights`).toBeLessThan(1e-5);
    }
    // Training did something: the check above is not comparing two untouched models.
    expect(one.losses[49]!).toBeLessThan(one.losses[0]! - 0.5);
  });

  it('is bit-identical for a given worker count, and its replicas are identical every K steps (with dropout too)', async () => {
    // Each rank draws its share's dropout masks from a per-step seed of the run's stream, so runs repeat exactly.
    const a = await train(2, 30, { checkEvery: 5, dropout: 0.1 });
    const b = await train(2, 30, { dropout: 0.1 });
    expect(a.checks).toBe(5); // before steps 6, 11, 16, 21 and 26
    expect(a.losses.every((l, i) => Object.is(l, b.losses[i]))).toBe(true);
    expect(sameBits(a.weights, b.weights)).toBe(true);
  });

  it('finds a replica whose weights differ', async () => {
    const { trainer, group } = await build(2, 10);
    try {
      await trainer.stepShared();
      await group!.checkReplicas();
      const w = trainer.snapshot();
      const name = [...w.keys()][3]!;
      w.get(name)![0]! += 1e-3;
      trainer.setParams(w);
      await expect(group!.checkReplicas()).rejects.toThrow(/^data-parallel worker 2 of 2 differs from worker 1 at weight \d+ after step 1$/);
    } finally {
      await group!.close();
      trainer.dispose();
    }
  });

  it.each([false, true])('splits the validation loss (and MoE expert load: %s) across workers, the same figures bit for bit', async (moe) => {
    // With the same micro-batches each part's figures are computed alike; the parts are added in the same order.
    const one = await build(1, 10, null, 0, { micro: 3, moe });
    const two = await build(2, 10, null, 0, { micro: 3, moe });
    try {
      const alone = one.trainer.evaluate();
      const shared = await two.trainer.evaluateAsync();
      expect(Object.is(alone, shared)).toBe(true);
      expect(alone).toBeGreaterThan(1);
      expect(two.trainer.lastExpertLoad).toEqual(one.trainer.lastExpertLoad);
      if (moe) expect(one.trainer.lastExpertLoad).toHaveLength(2);
      else expect(one.trainer.lastExpertLoad).toBeNull();
    } finally {
      await two.group?.close();
      one.trainer.dispose();
      two.trainer.dispose();
    }
  });

  it('writes checkpoints that resume with any worker count', async () => {
    const straight2 = await train(2, 20);
    const straight1 = await train(1, 20);
    const from2 = await train(2, 20, { saveAt: { step: 10, dir: join(dir, 'from2') } });
    const from1 = await train(1, 20, { saveAt: { step: 10, dir: join(dir, 'from1') } });
    // Resuming on the same count continues the same run bit for bit.
    const again2 = await train(2, 20, { resumeFrom: from2.saved! });
    expect(again2.losses.every((l, i) => Object.is(l, straight2.losses[10 + i]))).toBe(true);
    expect(sameBits(again2.weights, straight2.weights)).toBe(true);
    // Another count continues it to float tolerance (see above).
    const twoToOne = await train(1, 20, { resumeFrom: from2.saved! });
    const oneToThree = await train(3, 20, { resumeFrom: from1.saved! });
    expect(twoToOne.losses).toHaveLength(10);
    expect(maxRelDiff(twoToOne.losses, straight2.losses.slice(10))).toBeLessThan(2e-6);
    expect(maxRelDiff(oneToThree.losses, straight1.losses.slice(10))).toBeLessThan(2e-6);
    expect(maxAbsDiff(oneToThree.weights, straight1.weights)).toBeLessThan(1e-5);
  });

  it('fails the run with the reason when a replica dies, and the run resumes from its last checkpoint', async () => {
    const runDir = join(dir, 'crash');
    const { trainer, group } = await build(2, 30);
    const points: MetricPoint[] = [];
    const saved: number[] = [];
    const hooks: TrainHooks = {
      started: () => {},
      metrics: (p) => {
        points.push(...p);
        // The replica is killed between steps: rank 0 finds out at the next step's barrier.
        if (p.some((x) => x.key === 'train/loss' && x.step === 12)) void group!.workers[0]!.terminate();
      },
      checkpoint: (c) => void saved.push(c.step),
      control: () => null,
    };
    try {
      await expect(runTraining(trainer, runDir, hooks)).rejects.toThrow(/^data-parallel worker 2 of 2 exited unexpectedly/);
    } finally {
      await group!.close();
      trainer.dispose();
    }
    expect(saved).toEqual([10]);
    expect(Math.max(...points.filter((p) => p.key === 'train/loss').map((p) => p.step))).toBe(12);
    // Resumable: the last checkpoint continues to the end, on two workers again.
    const resumed = await build(2, 30, join(runDir, 'step-00000010'));
    try {
      const out = await runTraining(resumed.trainer, join(dir, 'crash-resumed'), { ...hooks, metrics: () => {}, checkpoint: () => {} });
      expect(out).toEqual({ status: 'finished', step: 30, reason: null });
    } finally {
      await resumed.group?.close();
      resumed.trainer.dispose();
    }
  });
});
