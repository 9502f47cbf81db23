// The hot-path ops against straightforward TF.js references (autodiff of the textbook formulas) on wasm and cpu,
// plus finite differences, causality, wasm/cpu agreement and no tensor leaks.
import { describe, it, expect, beforeAll } from 'vitest';
import { tf } from './tf.ts';
import { initBackend } from './backend.ts';
import { attentionDropoutMask, causalAttention, causalSelfAttention, gelu, layerNorm, linear, logSumExp, matMul2d } from './ops.ts';

type Backend = 'wasm' | 'cpu';
const backends: Backend[] = ['wasm', 'cpu'];

function refLinear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const y: tf.Tensor2D = tf.matMul(x, w);
  return b ? (tf.add(y, b) as tf.Tensor2D) : y;
}

function refAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D): tf.Tensor4D {
  const [, , T, hd] = q.shape;
  const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hd));
  const mask = tf.linalg.bandPart(tf.ones([T, T]), -1, 0);
  const masked = tf.add(scores, tf.mul(tf.sub(1, mask), -1e9));
  return tf.matMul(tf.softmax(masked), v);
}

/** Textbook attention with the dropout mask applied to the probabilities (softmax ⊙ mask)·v. */
function refAttentionDropout(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask: tf.Tensor): tf.Tensor4D {
  const [, , T, hd] = q.shape;
  const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hd));
  const causal = tf.linalg.bandPart(tf.ones([T, T]), -1, 0);
  return tf.matMul(tf.mul(tf.softmax(tf.add(scores, tf.mul(tf.sub(1, causal), -1e9))), mask), v);
}

/** Splits fused qkv [B·T, 3d] into heads [B, H, T, hd], runs `att`, merges back to [B·T, d] (GPT-2's layout). */
function viaHeads(qkv: tf.Tensor2D, B: number, H: number, att: (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D) => tf.Tensor4D): tf.Tensor2D {
  const [rows, threeD] = qkv.shape;
  const d = threeD / 3;
  const T = rows / B;
  const [q, k, v] = tf.split(qkv, 3, 1).map((t) => tf.transpose(tf.reshape(t, [B, T, H, d / H]), [0, 2, 1, 3]) as tf.Tensor4D);
  return tf.reshape(tf.transpose(att(q!, k!, v!), [0, 2, 1, 3]), [rows, d]);
}

function refLayerNorm(x: tf.Tensor2D, w: tf.Tensor1D, b: tf.Tensor1D | undefined, eps: number): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  const y = tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), w);
  return (b ? tf.add(y, b) : y) as tf.Tensor2D;
}

function refGelu(x: tf.Tensor): tf.Tensor {
  const c = Math.sqrt(2 / Math.PI);
  const inner = tf.mul(c, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

/** Seeded values as plain arrays, so the same inputs can be made on any backend. */
function randn(shape: number[], seed: number, std = 1): Float32Array {
  return tf.tidy(() => tf.randomNormal(shape, 0, std, 'float32', seed).dataSync() as Float32Array);
}

/** Value and gradients of sum(f(inputs) · r) for a fixed random r, as plain arrays. */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: { v: Float32Array; shape: number[] }[], rSeed: number): Float32Array[] {
  return tf.tidy(() => {
    const xs = inputs.map((i) => tf.tensor(i.v, i.shape));
    const out = f(...xs);
    const r = tf.tensor(randn(out.shape, rSeed), out.shape);
    const g = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), r)))(xs);
    return [out.dataSync() as Float32Array, ...g.map((t) => t.dataSync() as Float32Array)];
  });
}

function maxRelErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let scale = 1e-6;
  for (const x of b) scale = Math.max(scale, Math.abs(x));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / scale);
  return worst;
}

function expectClose(got: Float32Array[], want: Float32Array[], tol: number): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(maxRelErr(g, want[i]!), `output ${i}`).toBeLessThan(tol));
}

async function use(b: Backend): Promise<void> {
  await initBackend(b);
  expect(tf.getBackend()).toBe(b);
}

const lin = (n: number, i: number, o: number) => [
  { v: randn([n, i], 1), shape: [n, i] },
  { v: randn([i, o], 2, 0.1), shape: [i, o] },
  { v: randn([o], 3), shape: [o] },
];
const qkv = (B: number, H: number, T: number, hd: number) => [1, 2, 3].map((s) => ({ v: randn([B, H, T, hd], 10 + s), shape: [B, H, T, hd] }));

describe('hot-path ops', () => {
  beforeAll(async () => {
    await use('cpu');
  });

  for (const b of backends) {
    describe(`on ${b}`, () => {
      it('linear (with and without bias) matches matMul + add, value and gradients', async () => {
        await use(b);
        const ins = lin(37, 24, 40);
        const fast = valueAndGrads((x, w, bb) => linear(x as tf.Tensor2D, w as tf.Tensor2D, bb as tf.Tensor1D), ins, 4);
        const ref = valueAndGrads((x, w, bb) => refLinear(x as tf.Tensor2D, w as tf.Tensor2D, bb as tf.Tensor1D), ins, 4);
        expectClose(fast, ref, 1e-5);
        const fast2 = valueAndGrads((x, w) => linear(x as tf.Tensor2D, w as tf.Tensor2D), ins.slice(0, 2), 5);
        const ref2 = valueAndGrads((x, w) => refLinear(x as tf.Tensor2D, w as tf.Tensor2D), ins.slice(0, 2), 5);
        expectClose(fast2, ref2, 1e-5);
        // Wider input than output takes the other weight-gradient route on wasm.
        const wide = lin(29, 48, 16);
        const fast3 = valueAndGrads((x, w, bb) => linear(x as tf.Tensor2D, w as tf.Tensor2D, bb as tf.Tensor1D), wide, 6);
        const ref3 = valueAndGrads((x, w, bb) => refLinear(x as tf.Tensor2D, w as tf.Tensor2D, bb as tf.Tensor1D), wide, 6);
        expectClose(fast3, ref3, 1e-5);
      });

      it('matMul2d honours both transpose flags', async () => {
        await use(b);
        const a = randn([5, 7], 1);
        const c = randn([7, 3], 2);
        const got = tf.tidy(() => {
          const at = tf.transpose(tf.tensor2d(a, [5, 7])) as tf.Tensor2D;
          const ct = tf.transpose(tf.tensor2d(c, [7, 3])) as tf.Tensor2D;
          return [matMul2d(at, ct, true, true), matMul2d(at, tf.tensor2d(c, [7, 3]), true, false), matMul2d(tf.tensor2d(a, [5, 7]), ct, false, true)].map(
            (t) => t.dataSync() as Float32Array,
          );
        });
        const want = tf.tidy(() => tf.matMul(tf.tensor2d(a, [5, 7]), tf.tensor2d(c, [7, 3])).dataSync() as Float32Array);
        for (const g of got) expect(maxRelErr(g, want)).toBeLessThan(1e-6);
      });

      it('causalAttention matches the textbook formula, value and gradients', async () => {
        await use(b);
        const ins = qkv(2, 3, 9, 4);
        const f = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => causalAttention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D);
        const r = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => refAttention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D);
        expectClose(valueAndGrads(f as never, ins, 7), valueAndGrads(r as never, ins, 7), 2e-5);
      });

      it('causalSelfAttention from fused qkv [B·T, 3d] matches split heads + the textbook formula, value and gradients', async () => {
        await use(b);
        const ins = [{ v: randn([3 * 7, 3 * 12], 61), shape: [3 * 7, 3 * 12] }];
        const f = (x: tf.Tensor) => causalSelfAttention(x as tf.Tensor2D, 3, 4);
        const r = (x: tf.Tensor) => viaHeads(x as tf.Tensor2D, 3, 4, refAttention);
        expectClose(valueAndGrads(f, ins, 62), valueAndGrads(r, ins, 62), 2e-5);
      });

      it('attention dropout drops and rescales the probabilities with a seeded mask, value and gradients', async () => {
        await use(b);
        const rate = 0.3;
        const seed = 1234;
        const [B, H, T, hd] = [2, 3, 9, 4];
        const ins = qkv(B, H, T, hd);
        const mask = tf.tidy(() => attentionDropoutMask([B, H, T, T], rate, seed).dataSync() as Float32Array);
        // The mask is inverted dropout: 0 or 1/(1 − rate), about `rate` of it zero.
        const zeros = mask.filter((m) => m === 0).length / mask.length;
        expect(zeros).toBeGreaterThan(rate - 0.08);
        expect(zeros).toBeLessThan(rate + 0.08);
        for (const m of mask) expect(m === 0 || Math.abs(m - 1 / (1 - rate)) < 1e-6).toBe(true);
        const f = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => causalAttention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, { rate, seed });
        const r = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => refAttentionDropout(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, tf.tensor(mask, [B, H, T, T]));
        expectClose(valueAndGrads(f as never, ins, 63), valueAndGrads(r as never, ins, 63), 2e-5);
        // The fused-qkv op draws the same mask (heads flattened) for the same seed.
        const x = [{ v: randn([B * T, 3 * H * hd], 64), shape: [B * T, 3 * H * hd] }];
        const fs = (t: tf.Tensor) => causalSelfAttention(t as tf.Tensor2D, B, H, { rate, seed });
        const rs = (t: tf.Tensor) =>
          viaHeads(t as tf.Tensor2D, B, H, (q, k, v) => refAttentionDropout(q, k, v, tf.tensor(mask, [B, H, T, T])));
        expectClose(valueAndGrads(fs, x, 65), valueAndGrads(rs, x, 65), 2e-5);
        // Same seed, same output; another seed, another mask.
        const out = (sd: number) => tf.tidy(() => causalSelfAttention(tf.tensor2d(x[0]!.v, [B * T, 3 * H * hd]), B, H, { rate, seed: sd }).dataSync() as Float32Array);
        expect(out(seed)).toEqual(out(seed));
        expect(maxRelErr(out(seed), out(seed + 1))).toBeGreaterThan(1e-3);
      });

      it('attention dropout at rate 0 is the plain op: same values and not one extra kernel', async () => {
        await use(b);
        const x = tf.tensor2d(randn([2 * 8, 3 * 8], 66), [16, 24]);
        const kernels = async (f: () => tf.Tensor) => (await tf.profile(() => void tf.tidy(() => void f().dataSync()))).kernels.map((k) => k.name);
        const plain = await kernels(() => causalSelfAttention(x, 2, 2));
        const zero = await kernels(() => causalSelfAttention(x, 2, 2, { rate: 0, seed: 9 }));
        expect(zero).toEqual(plain);
        const a = tf.tidy(() => causalSelfAttention(x, 2, 2).dataSync() as Float32Array);
        const z = tf.tidy(() => causalSelfAttention(x, 2, 2, { rate: 0, seed: 9 }).dataSync() as Float32Array);
        expect(z).toEqual(a);
        x.dispose();
      });

      it('causalAttention is causal: later keys and values do not change earlier outputs', async () => {
        await use(b);
        const [q, k, v] = qkv(1, 2, 8, 4);
        const out = (kv: Float32Array, vv: Float32Array) =>
          tf.tidy(() => causalAttention(tf.tensor4d(q!.v, q!.shape as never), tf.tensor4d(kv, k!.shape as never), tf.tensor4d(vv, v!.shape as never)).arraySync());
        const base = out(k!.v, v!.v);
        const k2 = k!.v.slice();
        const v2 = v!.v.slice();
        // Change position 5 of every head's keys and values.
        for (let h = 0; h < 2; h++) for (let j = 0; j < 4; j++) {
          k2[(h * 8 + 5) * 4 + j]! += 3;
          v2[(h * 8 + 5) * 4 + j]! -= 2;
        }
        const moved = out(k2, v2);
        for (let h = 0; h < 2; h++) {
          for (let t = 0; t < 8; t++) {
            const same = base[0]![h]![t]!.every((x, j) => Math.abs(x - moved[0]![h]![t]![j]!) < 1e-6);
            expect(same, `head ${h} position ${t}`).toBe(t < 5);
          }
        }
      });

      it('gelu is GPT-2 gelu_new, value and gradient, and agrees with finite differences', async () => {
        await use(b);
        const x = randn([4, 50], 21, 2);
        const ins = [{ v: x, shape: [4, 50] }];
        expectClose(valueAndGrads((t) => gelu(t), ins, 22), valueAndGrads((t) => refGelu(t), ins, 22), 1e-5);
        // Central differences in float64 of the closed form against our float32 gradient.
        const g = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(gelu(t)))(tf.tensor(x, [4, 50])).dataSync());
        const f = (z: number) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));
        x.forEach((z, i) => expect(Math.abs(g[i]! - (f(z + 1e-5) - f(z - 1e-5)) / 2e-5)).toBeLessThan(2e-4));
      });

      it('logSumExp matches tf.logSumExp (keepDims), value and gradient, also for large logits', async () => {
        await use(b);
        const ins = [{ v: randn([13, 40], 41, 30), shape: [13, 40] }];
        const fast = valueAndGrads((t) => logSumExp(t as tf.Tensor2D), ins, 42);
        const ref = valueAndGrads((t) => tf.logSumExp(t, -1, true), ins, 42);
        expectClose(fast, ref, 1e-5);
        const big = tf.tidy(() => logSumExp(tf.tensor2d([[1000, 1000], [-1000, -1001]])).dataSync());
        expect(big[0]).toBeCloseTo(1000 + Math.log(2), 3);
        expect(big[1]).toBeCloseTo(-1000 + Math.log(1 + Math.exp(-1)), 3);
      });

      it('layerNorm (with and without bias, two eps) matches the textbook formula, value and gradients', async () => {
        await use(b);
        const ins = [
          { v: randn([19, 24], 51, 3), shape: [19, 24] },
          { v: randn([24], 52), shape: [24] },
          { v: randn([24], 53), shape: [24] },
        ];
        for (const eps of [1e-5, 1e-2]) {
          const f = (x: tf.Tensor, w: tf.Tensor, bb: tf.Tensor) => layerNorm(x as tf.Tensor2D, w as tf.Tensor1D, bb as tf.Tensor1D, eps);
          const r = (x: tf.Tensor, w: tf.Tensor, bb: tf.Tensor) => refLayerNorm(x as tf.Tensor2D, w as tf.Tensor1D, bb as tf.Tensor1D, eps);
          expectClose(valueAndGrads(f as never, ins, 54), valueAndGrads(r as never, ins, 54), 2e-5);
          const f2 = (x: tf.Tensor, w: tf.Tensor) => layerNorm(x as tf.Tensor2D, w as tf.Tensor1D, undefined, eps);
          const r2 = (x: tf.Tensor, w: tf.Tensor) => refLayerNorm(x as tf.Tensor2D, w as tf.Tensor1D, undefined, eps);
          expectClose(valueAndGrads(f2 as never, ins.slice(0, 2), 55), valueAndGrads(r2 as never, ins.slice(0, 2), 55), 2e-5);
        }
      });

      it('leaks no tensors across repeated forward and backward calls', async () => {
        await use(b);
        const [q, k, v] = qkv(2, 2, 8, 4).map((i) => tf.tensor(i.v, i.shape));
        const [x, w, bb] = lin(16, 8, 8).map((i) => tf.tensor(i.v, i.shape));
        const once = () =>
          tf.tidy(() => {
            const f = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor, xx: tf.Tensor, ww: tf.Tensor, bbb: tf.Tensor) => {
              const att = tf.add(
                tf.sum(causalAttention(a as tf.Tensor4D, c as tf.Tensor4D, d as tf.Tensor4D, { rate: 0.2, seed: 3 })),
                tf.sum(causalSelfAttention(tf.reshape(tf.concat([a, c, d], 3), [16, 24]) as tf.Tensor2D, 2, 2, { rate: 0.2, seed: 4 })),
              );
              const h = layerNorm(xx as tf.Tensor2D, bbb as tf.Tensor1D, bbb as tf.Tensor1D);
              const l = tf.sum(logSumExp(gelu(linear(h, ww as tf.Tensor2D, bbb as tf.Tensor1D)) as tf.Tensor2D));
              return tf.add(att, l);
            };
            const gs = tf.grads(f)([q!, k!, v!, x!, w!, bb!]);
            gs.forEach((t) => t.dataSync());
          });
        once();
        const before = tf.memory().numTensors;
        for (let i = 0; i < 5; i++) once();
        expect(tf.memory().numTensors).toBe(before);
        [q, k, v, x, w, bb].forEach((t) => t!.dispose());
      });
    });
  }

  it('wasm and cpu agree on values and gradients of all the ops', async () => {
    const run = async (b: Backend) => {
      await use(b);
      return [
        ...valueAndGrads((x, w, bb) => linear(x as tf.Tensor2D, w as tf.Tensor2D, bb as tf.Tensor1D), lin(64, 32, 48), 31),
        ...valueAndGrads(((q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => causalAttention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D)) as never, qkv(2, 4, 16, 8), 32),
        ...valueAndGrads((t) => causalSelfAttention(t as tf.Tensor2D, 3, 4, { rate: 0.25, seed: 77 }), [{ v: randn([3 * 16, 3 * 32], 41), shape: [3 * 16, 3 * 32] }], 42),
        ...valueAndGrads((t) => gelu(t), [{ v: randn([8, 64], 33, 2), shape: [8, 64] }], 34),
        ...valueAndGrads((t) => logSumExp(t as tf.Tensor2D), [{ v: randn([8, 64], 35, 3), shape: [8, 64] }], 36),
        ...valueAndGrads(
          ((x: tf.Tensor, w: tf.Tensor, bb: tf.Tensor) => layerNorm(x as tf.Tensor2D, w as tf.Tensor1D, bb as tf.Tensor1D)) as never,
          [{ v: randn([16, 32], 37, 2), shape: [16, 32] }, { v: randn([32], 38), shape: [32] }, { v: randn([32], 39), shape: [32] }],
          40,
        ),
      ];
    };
    const w = await run('wasm');
    const c = await run('cpu');
    expectClose(w, c, 1e-5);
  });
});
