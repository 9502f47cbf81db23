// Every op with a fast implementation against its plain TF.js reference, value and gradients, on every backend
// present here; and the pick happens when the backend starts.
import { describe, it, expect } from 'vitest';
import { tf } from '../tf.ts';
import { initBackend, probeBackends } from '../backend.ts';
import { kernelChoices } from './select.ts';
import { batchMatMulOp, batchMatMulTransAOp, causalSelfAttentionOp, geluOp, layerNormOp, linear, linearBiasOp, matMul2dOp } from '../ops.ts';
import { softmaxCrossEntropyOp } from '../model/loss.ts';
import { adamWUpdateOp } from '../optim/adamw.ts';
import { sumOfSquaresOp } from '../optim/clip.ts';
import { moeMixOp } from '../model/moe.ts';
import { selectiveScanOp } from '../model/selective-scan.ts';

/**
 * Seeded inputs as plain arrays, drawn in JavaScript (mulberry32 + Box–Muller) so every backend builds the same
 * tensors and no backend is read synchronously (WebGPU under Node cannot be).
 */
function randn(shape: number[], seed: number, std = 1): { v: Float32Array; shape: number[] } {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const v = new Float32Array(shape.reduce((x, y) => x * y, 1));
  for (let i = 0; i < v.length; i++) v[i] = std * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { v, shape };
}

type Inputs = { v: Float32Array; shape: number[] }[];
type TensorFn = (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

/** Outputs, and the gradients of Σ(output · r) for a fixed random r when the op is differentiable, as plain arrays. */
async function evaluate(f: TensorFn, inputs: Inputs, withGrads: boolean): Promise<Float32Array[]> {
  const tensors = tf.tidy(() => {
    const xs = inputs.map((i) => tf.tensor(i.v, i.shape));
    const outs = [f(...xs)].flat();
    if (!withGrads) return outs;
    const first = outs[0]!;
    const r = tf.tensor(randn(first.shape, 99).v, first.shape);
    const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul([f(...a)].flat()[0]!, r)))(xs);
    return [...outs, ...grads];
  });
  try {
    return (await Promise.all(tensors.map((t) => t.data()))) as Float32Array[];
  } finally {
    tf.dispose(tensors);
  }
}

/** For each op: how to call an implementation on tensors, its inputs, and whether it has gradients. */
interface Case {
  name: string;
  call: (impl: 'run' | 'reference') => TensorFn;
  inputs: () => Inputs;
  grads: boolean;
}

const targets = Int32Array.from({ length: 24 }, (_, i) => (i * 7 + 3) % 37);

const cases: Case[] = [
  { name: 'matmul-2d', grads: true, inputs: () => [randn([29, 48], 1), randn([29, 16], 2)], call: (i) => (a, b) => matMul2dOp[i](a as tf.Tensor2D, b as tf.Tensor2D, true, false) },
  // The batched products run only inside custom gradients, so they have no gradient of their own.
  { name: 'batch-matmul', grads: false, inputs: () => [randn([3, 5, 7], 1), randn([3, 6, 7], 2)], call: (i) => (a, b) => batchMatMulOp[i](a as tf.Tensor3D, b as tf.Tensor3D, false, true) },
  { name: 'batch-matmul-transpose-a', grads: false, inputs: () => [randn([3, 6, 6], 1), randn([3, 6, 4], 2)], call: (i) => (a, b) => batchMatMulTransAOp[i](a as tf.Tensor3D, b as tf.Tensor3D) },
  { name: 'linear-bias', grads: true, inputs: () => [randn([37, 24], 1), randn([24, 40], 2, 0.1), randn([40], 3)], call: (i) => (x, w, b) => linearBiasOp[i](x!, w!, b!) },
  {
    name: 'causal-self-attention',
    grads: true,
    inputs: () => [randn([2 * 6, 3 * 16], 4)],
    call: (i) => (qkv) => causalSelfAttentionOp[i](qkv as tf.Tensor2D, 2, 4, { rate: 0.2, seed: 7 }),
  },
  { name: 'gelu', grads: true, inputs: () => [randn([13, 20], 5, 2)], call: (i) => (x) => geluOp[i](x!) },
  { name: 'layer-norm', grads: true, inputs: () => [randn([11, 24], 6, 3), randn([24], 7), randn([24], 8)], call: (i) => (x, g, b) => layerNormOp[i](x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5) },
  {
    name: 'softmax-cross-entropy',
    grads: true,
    inputs: () => [randn([24, 37], 9, 3)],
    call: (i) => (x) => softmaxCrossEntropyOp[i](x as tf.Tensor2D, tf.tensor1d(targets, 'int32')),
  },
  {
    name: 'adamw',
    grads: false,
    inputs: () => [randn([9, 7], 10), randn([9, 7], 11), randn([9, 7], 12, 0.1), { v: randn([9, 7], 13, 0.1).v.map(Math.abs), shape: [9, 7] }],
    call: (i) => (p, g, m, v) => adamWUpdateOp[i](p!, g!, m!, v!, { lr: 1e-2, beta1: 0.9, beta2: 0.99, eps: 1e-8, keep: 1 - 1e-3, bc1: 1 - 0.9 ** 3, bc2Sqrt: Math.sqrt(1 - 0.99 ** 3) }),
  },
  {
    // 4 experts, top-2, with biases: router logits wide enough apart that no row has a near-tie.
    name: 'moe-mix',
    grads: true,
    inputs: () => [randn([24, 8], 17), randn([24, 4], 18, 3), ...[0, 1, 2, 3].flatMap((e) => [randn([8, 6], 20 + e, 0.5), randn([6, 8], 30 + e, 0.5), randn([8], 40 + e)])],
    call: (i) => (h, logits, ...w) =>
      moeMixOp[i](h as tf.Tensor2D, logits as tf.Tensor2D, 2, {
        count: 4,
        hidden: (e, x) => tf.tanh(linear(x, w[3 * e] as tf.Tensor2D)) as tf.Tensor2D,
        hiddenAll: (x) => tf.tanh(linear(x, tf.concat([0, 1, 2, 3].map((e) => w[3 * e] as tf.Tensor2D), 1))) as tf.Tensor2D,
        down: [0, 1, 2, 3].map((e) => w[3 * e + 1] as tf.Tensor2D),
        downBias: [0, 1, 2, 3].map((e) => w[3 * e + 2] as tf.Tensor1D),
      }),
  },
  {
    // Δ > 0 (softplus of a normal) and A < 0, as Mamba makes them; T 19 is not a multiple of the scan's chunk.
    name: 'selective-scan',
    grads: true,
    inputs: () => [
      randn([2, 19, 6], 17),
      { v: randn([2, 19, 6], 18).v.map((x) => Math.log1p(Math.exp(x))), shape: [2, 19, 6] },
      { v: randn([6, 4], 19).v.map((x) => -0.1 - Math.abs(x)), shape: [6, 4] },
      randn([2, 19, 4], 20),
      randn([2, 19, 4], 21),
    ],
    call: (i) => (u, delta, A, B, C) => selectiveScanOp[i](u as tf.Tensor3D, delta as tf.Tensor3D, A as tf.Tensor2D, B as tf.Tensor3D, C as tf.Tensor3D),
  },
  { name: 'sum-of-squares', grads: false, inputs: () => [randn([9, 7], 14), randn([5], 15), randn([2, 3, 4], 16)], call: (i) => (...xs) => sumOfSquaresOp[i](xs) },
];

function maxRelErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let scale = 1e-6;
  for (const x of b) scale = Math.max(scale, Math.abs(x));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / scale);
  return worst;
}

const present = (await probeBackends()).filter((b) => b.available).map((b) => b.name);

describe('fast kernels against their references', () => {
  it('covers every declared op', () => {
    expect(cases.map((c) => c.name).sort()).toEqual(kernelChoices().map((k) => k.name).sort());
  });

  for (const backend of present) {
    describe(`on ${backend}`, () => {
      it('picks an implementation per op when the backend starts', async () => {
        await initBackend(backend);
        for (const { name, chosen } of kernelChoices()) expect([`reference`, tf.getBackend()], name).toContain(chosen);
        if (backend === 'wasm') expect(kernelChoices().every((k) => k.chosen === 'wasm')).toBe(true);
        if (backend === 'cpu') expect(kernelChoices().every((k) => k.chosen === 'reference')).toBe(true);
      });

      for (const c of cases) {
        it(`${c.name}: value${c.grads ? ' and gradients' : ''}`, async () => {
          await initBackend(backend);
          const inputs = c.inputs();
          const before = tf.memory().numTensors;
          const fast = await evaluate(c.call('run'), inputs, c.grads);
          const ref = await evaluate(c.call('reference'), inputs, c.grads);
          expect(tf.memory().numTensors).toBe(before);
          expect(fast.length).toBe(ref.length);
          fast.forEach((f, k) => expect(maxRelErr(f, ref[k]!), `output ${k}`).toBeLessThan(1e-5));
        });
      }
    });
  }
});
