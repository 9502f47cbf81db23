// The LLaMA ops against plain TF.js written straight from their formulas (autodiff for the gradients), on cpu and
// wasm; RoPE's defining property (q·k depends only on the distance between positions); no tensors left behind.
import { describe, it, expect, beforeAll } from 'vitest';
import { tf } from './tf.ts';
import { initBackend } from './backend.ts';
import { repeatKvHeads, rmsNorm, rope, ropeTables, swiglu } from './llama-ops.ts';
import { Rng } from './rng.ts';

const rnd = (shape: number[], seed: number): tf.Tensor => tf.tensor(new Rng(seed).normalArray(shape.reduce((a, b) => a * b, 1), 1), shape);

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < b.length; i++) err = Math.max(err, Math.abs(a[i]! - b[i]!));
  return err / scale;
}

/** Value and gradients of sum(f(xs)·proj) for the op and for its reference must agree. */
function agree(op: (xs: tf.Tensor[]) => tf.Tensor, ref: (xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], tol = 1e-5): void {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const proj = rnd(op(inputs).shape, 99);
    const run = (f: (xs: tf.Tensor[]) => tf.Tensor): { value: Float32Array; grads: Float32Array[] } => ({
      value: f(inputs).dataSync() as Float32Array,
      grads: tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(xs), proj)))(inputs).map((g) => g.dataSync() as Float32Array),
    });
    const a = run(op);
    const b = run(ref);
    expect(maxRelErr(a.value, b.value)).toBeLessThan(tol);
    a.grads.forEach((g, i) => expect(maxRelErr(g, b.grads[i]!), `gradient ${i}`).toBeLessThan(tol));
  });
  expect(tf.memory().numTensors).toBe(before);
}

/** HF: x·cos + rotate_half(x)·sin, rotate_half(x) = [−x₂, x₁], angles (start + t)·θ^(−2i/hd) repeated for both halves. */
function ropeReference(x: tf.Tensor, B: number, T: number, H: number, hd: number, theta: number, start: number): tf.Tensor {
  const inv = tf.div(1, tf.pow(theta, tf.div(tf.range(0, hd, 2, 'float32'), hd)));
  const freqs = tf.outerProduct(tf.range(start, start + T, 1, 'float32') as tf.Tensor1D, inv as tf.Tensor1D);
  const emb = tf.reshape(tf.concat([freqs, freqs], -1), [T, 1, hd]);
  const x4 = tf.reshape(x, [B, T, H, hd]);
  const [x1, x2] = tf.split(x4, 2, -1);
  const rotated = tf.concat([tf.neg(x2!), x1!], -1);
  return tf.reshape(tf.add(tf.mul(x4, tf.cos(emb)), tf.mul(rotated, tf.sin(emb))), [B * T, H * hd]);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`llama ops on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });

    it('rmsNorm is x·rsqrt(mean(x²) + eps)·w', () => {
      for (const eps of [1e-5, 1e-2]) {
        agree(
          ([x, w]) => rmsNorm(x as tf.Tensor2D, w as tf.Tensor1D, eps),
          ([x, w]) => tf.mul(tf.mul(x!, tf.rsqrt(tf.add(tf.mean(tf.square(x!), -1, true), eps))), w!),
          [rnd([7, 12], 1), rnd([12], 2)],
        );
      }
    });

    it('swiglu is silu(gate)·up', () => {
      agree(([a, b]) => swiglu(a as tf.Tensor2D, b as tf.Tensor2D), ([a, b]) => tf.mul(tf.mul(a!, tf.sigmoid(a!)), b!), [rnd([6, 10], 3), rnd([6, 10], 4)]);
    });

    it('rope rotates each head\'s halves as HF does, from any start position', () => {
      const [B, T, H, hd] = [2, 5, 3, 8];
      for (const [start, theta] of [[0, 10000], [17, 10000], [3, 500]] as const) {
        agree(
          ([x]) => rope(x as tf.Tensor2D, B, H, ropeTables(start, T, hd, theta)),
          ([x]) => ropeReference(x!, B, T, H, hd, theta, start),
          [rnd([B * T, H * hd], 5)],
        );
      }
    });

    it('rope makes q·k depend only on the distance between the positions', () => {
      const hd = 16;
      const q = rnd([1, hd], 6);
      const k = rnd([1, hd], 7);
      const dot = (pq: number, pk: number): number =>
        tf.tidy(() => {
          const rq = rope(q as tf.Tensor2D, 1, 1, ropeTables(pq, 1, hd, 10000));
          const rk = rope(k as tf.Tensor2D, 1, 1, ropeTables(pk, 1, hd, 10000));
          return tf.sum(tf.mul(rq, rk)).dataSync()[0]!;
        });
      expect(dot(5, 2)).toBeCloseTo(dot(40, 37), 4);
      expect(dot(5, 2)).not.toBeCloseTo(dot(5, 4), 2);
      q.dispose();
      k.dispose();
    });

    it('repeatKvHeads gives query head j the key/value head ⌊j / groups⌋', () => {
      const kv = rnd([4, 2 * 3], 8);
      agree(
        ([x]) => repeatKvHeads(x as tf.Tensor2D, 2, 3),
        ([x]) => {
          const [h0, h1] = tf.split(x!, 2, 1);
          return tf.concat([h0!, h0!, h0!, h1!, h1!, h1!], 1);
        },
        [kv],
      );
      kv.dispose();
    });
  });
}
