// The chunked selective scan against the sequential recurrence: values, final state and gradients, for chunk sizes
// that do and do not divide T, from a zero and a given state, with step sizes large enough that a naive
// exp(−cumsum) would overflow; on cpu and wasm.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { initBackend } from '../backend.ts';
import { Rng } from '../rng.ts';
import { chunkedScan, selectiveScan, sequentialScan } from './selective-scan.ts';

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1e-6;
  let err = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < b.length; i++) err = Math.max(err, Math.abs(a[i]! - b[i]!));
  return err / scale;
}

/** Inputs as Mamba produces them: Δ > 0 (softplus), A < 0, with some steps large (Δ·A down to about −40). */
function inputs(batch: number, T: number, I: number, N: number, seed: number): tf.Tensor[] {
  const rng = new Rng(seed);
  const u = tf.tensor3d(rng.normalArray(batch * T * I, 1), [batch, T, I]);
  const delta = tf.tensor3d(Float32Array.from({ length: batch * T * I }, () => Math.log1p(Math.exp(3 * rng.normal()))), [batch, T, I]);
  const A = tf.tensor2d(Float32Array.from({ length: I * N }, (_, k) => -((k % N) + 1) * (0.5 + rng.uniform())), [I, N]);
  const Bm = tf.tensor3d(rng.normalArray(batch * T * N, 1), [batch, T, N]);
  const Cm = tf.tensor3d(rng.normalArray(batch * T * N, 1), [batch, T, N]);
  return [u, delta, A, Bm, Cm];
}

type Scan = (u: tf.Tensor3D, delta: tf.Tensor3D, A: tf.Tensor2D, Bm: tf.Tensor3D, Cm: tf.Tensor3D) => tf.Tensor3D;

/** y and the gradients of Σ y·r with respect to every input. */
function valueAndGrads(scan: Scan, xs: tf.Tensor[]): Float32Array[] {
  return tf.tidy(() => {
    const y = scan(...(xs as [tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor3D, tf.Tensor3D]));
    const r = tf.tensor(new Rng(5).normalArray(y.size, 1), y.shape);
    const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(scan(...(a as [tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor3D, tf.Tensor3D])), r)))(xs);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`selective scan on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });

    it('chunked equals sequential: values, final state and every gradient, T not a multiple of the chunk', () => {
      const xs = inputs(2, 13, 6, 4, 1);
      const before = tf.memory().numTensors;
      const seq = valueAndGrads((...a) => sequentialScan(...a, null).y, xs);
      for (const L of [1, 4, 5, 13, 16]) {
        const chunked = valueAndGrads((...a) => chunkedScan(...a, null, L).y, xs);
        chunked.forEach((c, k) => expect(maxRelErr(c, seq[k]!), `chunk ${L}, output ${k}`).toBeLessThan(1e-5));
        for (const c of chunked) for (const v of c) expect(Number.isFinite(v)).toBe(true);
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(xs);
    });

    it('carries a given state in and hands the final one out, as the sequential recurrence does', () => {
      const [u, delta, A, Bm, Cm] = inputs(1, 9, 5, 3, 2) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor3D, tf.Tensor3D];
      const h0 = tf.tensor3d(new Rng(3).normalArray(15, 1), [1, 5, 3]);
      tf.tidy(() => {
        const seq = sequentialScan(u, delta, A, Bm, Cm, h0);
        const chunked = chunkedScan(u, delta, A, Bm, Cm, h0, 4);
        expect(maxRelErr(chunked.y.dataSync(), seq.y.dataSync())).toBeLessThan(1e-5);
        expect(maxRelErr(chunked.h.dataSync(), seq.h.dataSync())).toBeLessThan(1e-5);
        // Splitting the sequence and carrying the state gives the whole sequence's output.
        const first = chunkedScan(...([u, delta, Bm, Cm].map((t) => tf.slice(t, [0, 0, 0], [1, 4, t.shape[2]!])) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D]).slice(0, 2) as [tf.Tensor3D, tf.Tensor3D], A, ...([Bm, Cm].map((t) => tf.slice(t, [0, 0, 0], [1, 4, 3])) as [tf.Tensor3D, tf.Tensor3D]), h0, 16);
        const rest = chunkedScan(...([u, delta].map((t) => tf.slice(t, [0, 4, 0], [1, 5, 5])) as [tf.Tensor3D, tf.Tensor3D]), A, ...([Bm, Cm].map((t) => tf.slice(t, [0, 4, 0], [1, 5, 3])) as [tf.Tensor3D, tf.Tensor3D]), first.h, 16);
        expect(maxRelErr(tf.concat([first.y, rest.y], 1).dataSync(), seq.y.dataSync())).toBeLessThan(1e-5);
      });
      tf.dispose([u, delta, A, Bm, Cm, h0]);
    });

    it('the training op (fused on wasm) equals the sequential scan with gradients', () => {
      const xs = inputs(2, 11, 7, 5, 4);
      const before = tf.memory().numTensors;
      const seq = valueAndGrads((...a) => sequentialScan(...a, null).y, xs);
      const op = valueAndGrads(selectiveScan, xs);
      op.forEach((c, k) => expect(maxRelErr(c, seq[k]!), `output ${k}`).toBeLessThan(1e-5));
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(xs);
    });
  });
}
