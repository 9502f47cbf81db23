// WebGPU against wasm on identical inputs: each hand-written op (attention, layer norm, GELU, cross-entropy, the AdamW
// update, the device-side clipping) one by one, then 20 training steps of a tiny GPT, the train loop with checkpoints
// and resume, and sampling. Runs wherever a WebGPU adapter exists (SwiftShader included); skipped, saying why, elsewhere.
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../tf.ts';
import { initBackend } from '../backend.ts';
import { causalSelfAttention, gelu, linear } from '../ops.ts';
import { layerNorm } from '../model/layers.ts';
import { crossEntropy, type LossOptions } from '../model/loss.ts';
import { AdamW } from '../optim/adamw.ts';
import { clipByGlobalNorm, clipScale, globalNormTensor, scaleGrads } from '../optim/clip.ts';
import { readAll } from '../readback.ts';
import { Rng } from '../rng.ts';
import { generate, loadForSampling } from '../sample.ts';
import { Trainer, runTraining, type PendingStep, type StepResult, type TrainHooks } from '../train.ts';
import { tinyConfig, tinyText } from '../testing/tiny.ts';
import { webgpuForTests } from '../testing/webgpu.ts';
import type { MetricPoint } from '../../../shared/metrics.ts';
import type { RunConfigInput } from '../../../shared/config.ts';

const gpu = await webgpuForTests();
// SwiftShader compiles every shader on the CPU: the training tests get more time than the default.
const SLOW_MS = 400_000;
if (!gpu.ok) console.warn(`WebGPU parity tests skipped: ${gpu.why}`);

type Named = 'wasm' | 'webgpu';

/** Host arrays: inputs built once, uploaded to each backend in turn. */
interface Input {
  data: Float32Array;
  shape: number[];
}

function normal(rng: Rng, shape: number[], std = 1): Input {
  return { data: rng.normalArray(shape.reduce((a, b) => a * b, 1), std), shape };
}

/** Runs fn on a backend with the inputs uploaded there, reads every output asynchronously and frees everything. */
async function on(backend: Named, inputs: Input[], fn: (...xs: tf.Tensor[]) => tf.Tensor[]): Promise<Float32Array[]> {
  await initBackend(backend);
  const before = tf.memory().numTensors;
  const outs = tf.tidy(() => fn(...inputs.map((i) => tf.tensor(i.data, i.shape, 'float32'))));
  try {
    return await readAll(outs);
  } finally {
    tf.dispose(outs);
    expect(tf.memory().numTensors).toBe(before);
  }
}

/** Largest absolute difference relative to the largest magnitude of the reference (what a kernel's rounding moves). */
function relDiff(got: Float32Array, want: Float32Array): number {
  expect(got.length).toBe(want.length);
  let scale = 1e-6;
  let worst = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  return worst / scale;
}

/** Value and gradients of sum(f(xs) · dy) for a fixed random dy: forward and backward of the op in one comparison. */
function withGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, dySeed: number): (...xs: tf.Tensor[]) => tf.Tensor[] {
  return (...xs) => {
    const y = f(...xs);
    const dy = tf.tensor(new Rng(dySeed).normalArray(y.size, 1), y.shape, 'float32');
    const grads = tf.grads((...ys: tf.Tensor[]) => tf.sum(tf.mul(f(...ys), dy)))(xs);
    return [y, ...grads];
  };
}

async function expectParity(inputs: Input[], fn: (...xs: tf.Tensor[]) => tf.Tensor[], tol = 1e-4): Promise<void> {
  const want = await on('wasm', inputs, fn);
  const got = await on('webgpu', inputs, fn);
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(relDiff(got[i]!, w), `output ${i}`).toBeLessThan(tol));
}

describe.skipIf(!gpu.ok)(`WebGPU kernels against wasm${gpu.ok ? ` (${gpu.adapter})` : ''}`, () => {
  const rng = new Rng(7);

  it('layer norm, with and without bias: output and gradients', async () => {
    const [x, g, b] = [normal(rng, [12, 16], 2), normal(rng, [16], 1), normal(rng, [16], 0.5)];
    await expectParity([x, g, b], withGrads((xx, gg, bb) => layerNorm(xx as tf.Tensor2D, gg as tf.Tensor1D, bb as tf.Tensor1D), 1));
    await expectParity([x, g], withGrads((xx, gg) => layerNorm(xx as tf.Tensor2D, gg as tf.Tensor1D), 2));
  });

  it('causal self-attention (fused head split, mask, softmax), with and without dropout: output and gradient', async () => {
    const B = 2;
    const H = 2;
    const T = 8;
    const d = 16;
    const qkv = normal(rng, [B * T, 3 * d]);
    await expectParity([qkv], withGrads((x) => causalSelfAttention(x as tf.Tensor2D, B, H), 3));
    await expectParity([qkv], withGrads((x) => causalSelfAttention(x as tf.Tensor2D, B, H, { rate: 0.2, seed: 99 }), 4));
  });

  it('GELU and the linear layer: output and gradients', async () => {
    await expectParity([normal(rng, [6, 32], 2)], withGrads((x) => gelu(x), 5));
    const [x, w, b] = [normal(rng, [10, 16]), normal(rng, [16, 24], 0.2), normal(rng, [24], 0.1)];
    await expectParity([x, w, b], withGrads((xx, ww, bb) => linear(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D), 6));
  });

  for (const opts of [{}, { labelSmoothing: 0.1, zLoss: 1e-4 }] as LossOptions[]) {
    it(`cross-entropy ${JSON.stringify(opts)}: loss and gradient`, async () => {
      const N = 24;
      const V = 40;
      const targets = Int32Array.from({ length: N }, (_, i) => (i * 7 + 3) % V);
      const loss = (l: tf.Tensor): tf.Tensor => crossEntropy(l as tf.Tensor2D, tf.tensor1d(targets, 'int32'), opts);
      await expectParity([normal(rng, [N, V], 3)], (l) => [loss(l), tf.grad(loss)(l)]);
    });
  }

  it('AdamW (decayed and not) after device-side clipping: weights and moments after three updates', async () => {
    const p = [normal(rng, [8, 12], 0.1), normal(rng, [12], 0.1)];
    const grads = [0, 1, 2].map(() => [normal(rng, [8, 12], 0.5), normal(rng, [12], 0.5)]);
    const run = async (backend: Named): Promise<Float32Array[]> => {
      await initBackend(backend);
      const params = new Map([
        ['w.weight', tf.variable(tf.tensor(p[0]!.data, p[0]!.shape), true)],
        ['b.bias', tf.variable(tf.tensor(p[1]!.data, p[1]!.shape), true)],
      ]);
      const groups = [
        { name: 'decay', params: ['w.weight'], weightDecay: 0.1 },
        { name: 'no_decay', params: ['b.bias'], weightDecay: 0 },
      ];
      const opt = new AdamW(params, groups, { beta1: 0.9, beta2: 0.99, eps: 1e-8 });
      const norms: number[] = [];
      for (const [i, [gw, gb]] of grads.entries()) {
        const g = new Map<string, tf.Tensor>([
          ['w.weight', tf.tensor(gw!.data, gw!.shape)],
          ['b.bias', tf.tensor(gb!.data, gb!.shape)],
        ]);
        const lr = 1e-2 * (i + 1);
        if (backend === 'wasm') {
          // The reference: clipping as torch does it, on the host.
          norms.push(clipByGlobalNorm(g, 1).norm);
          opt.step(g, lr);
        } else {
          const norm = globalNormTensor(g);
          const scale = clipScale(norm, 1);
          const scaled = scaleGrads(g, scale);
          opt.step(scaled, lr);
          norms.push((await norm.data())[0]!);
          tf.dispose([norm, scale, ...scaled.values()]);
        }
        tf.dispose([...g.values()]);
      }
      const state = await opt.stateAsync();
      const out = [Float32Array.from(norms), ...(await readAll([...params.values()])), ...[...state.slots.values()].flatMap((s) => [...s.values()])];
      opt.dispose();
      tf.dispose([...params.values()]);
      return out;
    };
    const want = await run('wasm');
    const got = await run('webgpu');
    want.forEach((w, i) => expect(relDiff(got[i]!, w), `output ${i}`).toBeLessThan(1e-4));
  });
});

const text = tinyText();
const config = (o: RunConfigInput = {}) => tinyConfig({ data: { tokenizer: 'char' }, ...o });

function maxRel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
}

describe.skipIf(!gpu.ok)('WebGPU training against wasm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-webgpu-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('20 steps on identical weights and batches: loss and grad norm within 1e-4 relative per step, weights within 1e-4 after; numTensors flat', async () => {
    const cfg = config({ train: { steps: 20, batch_size: 4, micro_batch_size: 2 } });
    await initBackend('wasm');
    const ref = new Trainer({ config: cfg, backend: 'wasm', text });
    const batches = Array.from({ length: 20 }, () => ref.data.nextTrainBatch(cfg.train.batch_size));
    const want = batches.map((b) => ref.trainStep(b));
    const wantW = ref.snapshot();
    ref.dispose();
    expect(want.some((r) => r.clipped)).toBe(true); // clipping is exercised

    await initBackend('webgpu');
    const t = new Trainer({ config: cfg, backend: 'webgpu', text });
    const got: StepResult[] = [];
    const queue: PendingStep[] = [];
    let flat = -1;
    for (const b of batches) {
      queue.push(t.enqueueStep(b));
      if (queue.length > 2) got.push(await t.settle(queue.shift()!));
      if (got.length === 3) flat = tf.memory().numTensors;
      if (got.length > 3) expect(tf.memory().numTensors).toBe(flat);
    }
    while (queue.length > 0) got.push(await t.settle(queue.shift()!));
    const gotW = await t.snapshotAsync();
    t.dispose();
    for (const [i, r] of got.entries()) {
      expect(maxRel(r.loss, want[i]!.loss), `loss at step ${i + 1}`).toBeLessThan(1e-4);
      expect(maxRel(r.gradNorm, want[i]!.gradNorm), `grad norm at step ${i + 1}`).toBeLessThan(1e-4);
      expect(r.clipped).toBe(want[i]!.clipped);
    }
    for (const [name, w] of wantW) {
      const g = gotW.get(name)!;
      let worst = 0;
      for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(g[i]! - w[i]!));
      expect(worst, name).toBeLessThan(1e-4);
    }
  }, SLOW_MS);

  it('the train loop with evals, checkpoints and resume; the checkpoint samples as on wasm', async () => {
    const cfg = config({ train: { steps: 6 }, eval: { every: 3, batches: 1 }, checkpoint: { every: 3 } });
    const losses = async (backend: Named, ckDir: string, resumeFrom: string | null = null, trainer?: Trainer) => {
      await initBackend(backend);
      const t = trainer ?? new Trainer({ config: cfg, backend, text, resumeFrom });
      const points: MetricPoint[] = [];
      const checkpoints: string[] = [];
      const hooks: TrainHooks = {
        started: () => {},
        metrics: (p) => points.push(...p),
        checkpoint: (c) => checkpoints.push(c.path),
        control: () => null,
      };
      const outcome = await runTraining(t, ckDir, hooks);
      t.dispose();
      return { outcome, points, checkpoints };
    };
    const wasm = await losses('wasm', join(dir, 'wasm'));
    const straight = await losses('webgpu', join(dir, 'gpu'));
    expect(straight.outcome).toEqual({ status: 'finished', step: 6, reason: null });
    const series = (ps: MetricPoint[], key: string) => ps.filter((p) => p.key === key).map((p) => [p.step, p.value as number]);
    for (const key of ['train/loss', 'train/grad_norm', 'val/loss']) {
      const w = series(wasm.points, key);
      const g = series(straight.points, key);
      expect(g.map((p) => p[0])).toEqual(w.map((p) => p[0]));
      g.forEach(([, v], i) => expect(maxRel(v!, w[i]![1]!), `${key} at step ${g[i]![0]}`).toBeLessThan(1e-4));
    }
    expect(straight.checkpoints).toHaveLength(2);
    // Resuming from the step-3 checkpoint on webgpu gives the straight run's later steps.
    const resumed = await losses('webgpu', join(dir, 'gpu-resumed'), straight.checkpoints[0]!);
    const tail = series(straight.points, 'train/loss').filter(([s]) => s! > 3);
    expect(series(resumed.points, 'train/loss')).toEqual(tail);

    // Sampling from the webgpu checkpoint: the same greedy tokens as wasm sampling it.
    const sample = async (backend: Named) => {
      await initBackend(backend);
      const { model, tokenizer } = loadForSampling(straight.checkpoints[1]!);
      const r = await generate(model, tokenizer, 'the whale', { maxTokens: 8, temperature: 0, seed: 1 });
      model.dispose();
      return r.tokens;
    };
    expect(await sample('webgpu')).toEqual(await sample('wasm'));
  }, SLOW_MS);
});
