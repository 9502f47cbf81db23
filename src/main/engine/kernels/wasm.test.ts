// Our wasm kernels against the cpu backend's (the reference) on the same inputs, including their gradients.
import { describe, it, expect, beforeAll } from 'vitest';
import { tf } from '../tf.ts';
import { initBackend } from '../backend.ts';
import { collapse } from './wasm-transpose.ts';
import { BATCH_MATMUL_2D } from './wasm-batch-matmul.ts';

/** Runs f on wasm and on cpu with fresh inputs from the same seeds; returns both results as nested arrays. */
async function onBoth<T>(f: () => T): Promise<{ wasm: T; cpu: T }> {
  await initBackend('wasm');
  const wasm = f();
  await initBackend('cpu');
  const cpu = f();
  return { wasm, cpu };
}

const randn = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

function flat(x: tf.Tensor | tf.Tensor[]): number[][] {
  return (Array.isArray(x) ? x : [x]).map((t) => Array.from(t.dataSync()));
}

function expectNear(a: number[][], b: number[][], tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  a.forEach((row, i) => {
    expect(row.length).toBe(b[i]!.length);
    row.forEach((x, j) => expect(Math.abs(x - b[i]![j]!), `[${i}][${j}]`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i]![j]!))));
  });
}

describe('wasm kernels', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('UnsortedSegmentSum sums rows into segments and drops out-of-range ids', async () => {
    const r = await onBoth(() =>
      tf.tidy(() => {
        const x = randn([7, 3, 2], 1);
        const ids = tf.tensor1d([2, 0, 2, -1, 4, 9, 0], 'int32');
        const a = tf.unsortedSegmentSum(x, ids, 5);
        const b = tf.unsortedSegmentSum(tf.reshape(x, [7, 6]), ids, 5);
        const c = tf.unsortedSegmentSum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), tf.tensor1d([1, 1, 0], 'int32'), 2);
        return [...flat([a, b, c]), a.shape, c.shape];
      }),
    );
    expect(r.wasm).toEqual(r.cpu);
    expect(r.wasm[2]).toEqual([5, 6, 4, 6]);
  });

  it('gather has a gradient on wasm (embedding lookup) equal to cpu', async () => {
    const r = await onBoth(() =>
      tf.tidy(() => {
        const table = randn([10, 4], 2);
        const idx = tf.tensor2d([1, 3, 3, 9, 0, 1], [2, 3], 'int32');
        const w = randn([2, 3, 4], 3);
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, idx), w)))(table);
        return flat(g);
      }),
    );
    expectNear(r.wasm, r.cpu);
  });

  it('Unpack, Slice and SplitV match cpu and never copy the whole input (readSync) per output', async () => {
    const r = await onBoth(() =>
      tf.tidy(() => {
        const x = randn([3, 4, 5], 4);
        return [0, 1, 2, -1].flatMap((axis) => flat(tf.unstack(x, axis)));
      }),
    );
    expect(r.wasm).toEqual(r.cpu);
    await initBackend('wasm');
    // The stock kernels read the whole input back (readSync copies it) once per output: unstack was O(n²).
    const backend = tf.backend() as unknown as { readSync: (...a: unknown[]) => unknown };
    const original = backend.readSync;
    let reads = 0;
    backend.readSync = (...a: unknown[]) => {
      reads++;
      return original.apply(backend, a);
    };
    try {
      tf.tidy(() => {
        const x = tf.zeros([512, 8]);
        tf.unstack(x);
        tf.unstack(x, 1);
        tf.split(x, 4, 0);
        tf.slice(x, [3, 1], [100, 5]);
      });
    } finally {
      backend.readSync = original;
    }
    expect(reads).toBe(0);
  });

  it('Slice and split match cpu for contiguous and strided boxes, ranks 1 to 5', async () => {
    const r = await onBoth(() =>
      tf.tidy(() => {
        const out: number[][] = [];
        out.push(...flat(tf.slice(randn([10], 5), [3], [4])));
        out.push(...flat(tf.slice(randn([6, 7], 6), [1, 2], [3, 4])));
        out.push(...flat(tf.slice(randn([6, 7], 6), [2, 0], [2, 7])));
        out.push(...flat(tf.slice(randn([3, 4, 5], 7), [1, 1, 2], [2, 2, -1])));
        out.push(...flat(tf.slice(randn([2, 3, 4, 5], 8), [1, 0, 1, 4], [1, 3, 2, 1])));
        out.push(...flat(tf.slice(randn([2, 2, 3, 2, 3], 9), [0, 1, 1, 0, 1], [2, 1, 2, 2, 2])));
        out.push(...flat(tf.slice(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), [0, 1], [2, 2])));
        out.push(...flat(tf.split(randn([6, 9], 10), 3, 1)));
        out.push(...flat(tf.split(randn([6, 9], 10), [1, 2, 3], 0)));
        out.push(...flat(tf.split(randn([2, 6, 4], 11), [4, 2], 1)));
        return out;
      }),
    );
    expect(r.wasm).toEqual(r.cpu);
  });

  it('Transpose matches cpu for the permutations training uses, large and small, float32 and int32', async () => {
    const cases: [number[], number[]][] = [
      [[130, 70], [1, 0]],
      [[40, 50], [1, 0]],
      [[3, 97, 101], [0, 2, 1]],
      [[5, 16, 16], [0, 2, 1]],
      [[2, 5, 3, 4], [0, 2, 1, 3]],
      [[2, 3, 100, 90], [0, 1, 3, 2]],
      [[2, 3, 4, 5], [3, 1, 0, 2]],
      [[1, 200, 1, 60], [0, 3, 2, 1]],
    ];
    const r = await onBoth(() =>
      tf.tidy(() => [
        ...cases.flatMap(([shape, perm], i) => flat(tf.transpose(randn(shape, 20 + i), perm))),
        ...flat(tf.transpose(tf.range(0, 130 * 70, 1, 'int32').reshape([130, 70]))),
      ]),
    );
    expect(r.wasm).toEqual(r.cpu);
  });

  it('collapse merges axes that move together and drops unit axes', () => {
    expect(collapse([2, 3, 4, 5], [0, 1, 3, 2])).toEqual({ shape: [6, 4, 5], perm: [0, 2, 1] });
    expect(collapse([2, 3, 4, 5], [0, 2, 1, 3])).toEqual({ shape: [2, 3, 4, 5], perm: [0, 2, 1, 3] });
    expect(collapse([1, 200, 1, 60], [0, 3, 2, 1])).toEqual({ shape: [200, 60], perm: [1, 0] });
    expect(collapse([4, 5], [0, 1])).toEqual({ shape: [20], perm: [0] });
    expect(collapse([1, 1], [1, 0])).toEqual({ shape: [1], perm: [0] });
  });

  it('Sum over leading axes (bias and LayerNorm gradients) matches cpu; other reductions still work', async () => {
    const r = await onBoth(() =>
      tf.tidy(() => {
        const x = randn([17, 9, 6], 30);
        return flat([
          tf.sum(x, 0),
          tf.sum(x, [0, 1]),
          tf.sum(x, [1, 0], true),
          tf.sum(x, -1),
          tf.sum(x, 1),
          tf.sum(x),
          tf.sum(tf.range(0, 12, 1, 'int32').reshape([3, 4]), 0),
          tf.sum(tf.reshape(x, [153, 6]), 0),
        ]);
      }),
    );
    expectNear(r.wasm, r.cpu, 1e-5);
  });

  it('comparisons and maximum/minimum match cpu for every broadcast pattern, float32 (with NaN) and int32', async () => {
    const pairs: [number[], number[]][] = [
      [[6, 5], [6, 5]],
      [[6, 5], [6, 1]],
      [[6, 5], [5]],
      [[6, 1], [1, 5]],
      [[1], [2, 3, 4]],
      [[], [3]],
      [[2, 1, 4], [3, 1]],
    ];
    const ops = [tf.equal, tf.notEqual, tf.greater, tf.greaterEqual, tf.less, tf.lessEqual, tf.maximum, tf.minimum];
    const r = await onBoth(() =>
      tf.tidy(() => {
        const out: number[][] = [];
        pairs.forEach(([sa, sb], i) => {
          // Rounded so that equal values actually occur; one NaN in a.
          const a = tf.round(tf.mul(randn(sa, 70 + i), 2));
          const b = tf.round(tf.mul(randn(sb, 80 + i), 2));
          const an = a.size > 1 ? tf.where(tf.equal(tf.range(0, a.size).reshape(a.shape), 1), tf.fill(a.shape, NaN), a) : a;
          for (const op of ops) {
            out.push(Array.from((op as (x: tf.Tensor, y: tf.Tensor) => tf.Tensor)(an, b).dataSync()));
            out.push(Array.from((op as (x: tf.Tensor, y: tf.Tensor) => tf.Tensor)(tf.cast(b, 'int32'), tf.cast(a, 'int32')).dataSync()));
          }
        });
        return out;
      }),
    );
    expect(r.wasm).toEqual(r.cpu);
  });

  it('the batched 2-D matmul kernel equals tf.matMul on cpu, one product per matrix', async () => {
    const shapes: [number, number, number, number][] = [
      [5, 7, 3, 4],
      [48, 64, 32, 64],
      [3, 1, 1, 1],
      [2, 33, 17, 9],
    ];
    await initBackend('wasm');
    const got = tf.tidy(() =>
      shapes.map(([n, m, k, p], i) =>
        Array.from((tf.engine().runKernel(BATCH_MATMUL_2D, { a: randn([n, m, k], 50 + i), b: randn([n, k, p], 60 + i) }, {}) as tf.Tensor).dataSync()),
      ),
    );
    await initBackend('cpu');
    const want = tf.tidy(() => shapes.map(([n, m, k, p], i) => Array.from(tf.matMul(randn([n, m, k], 50 + i), randn([n, k, p], 60 + i)).dataSync())));
    expectNear(got, want, 1e-5);
    await initBackend('wasm');
    const bad = () => tf.tidy(() => tf.engine().runKernel(BATCH_MATMUL_2D, { a: randn([2, 3, 4], 1), b: randn([2, 5, 4], 2) }, {}));
    expect(bad).toThrow(/expected float32/);
  });

  it('clone and same-dtype cast share memory (no copy) and stay valid when the original is disposed', async () => {
    await initBackend('wasm');
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const buffers = tf.memory().numDataBuffers;
    const c = tf.clone(x);
    const f = tf.cast(x, 'float32');
    expect(tf.memory().numDataBuffers).toBe(buffers);
    x.dispose();
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(f.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    // A real conversion still converts.
    const i = tf.cast(c, 'int32');
    expect(i.dtype).toBe('int32');
    expect(Array.from(tf.cast(tf.tensor1d([1.7, -2.2]), 'int32').dataSync())).toEqual([1, -2]);
    c.dispose();
    expect(Array.from(f.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    tf.dispose([f, i]);
  });

  it('leaks no tensors', async () => {
    await initBackend('wasm');
    const once = () =>
      tf.tidy(() => {
        const x = randn([8, 6, 4], 40);
        tf.unstack(x, 1);
        tf.split(x, 2, 1);
        tf.transpose(x, [0, 2, 1]);
        tf.sum(x, 0);
        tf.engine().runKernel(BATCH_MATMUL_2D, { a: x, b: tf.transpose(x, [0, 2, 1]) }, {});
        tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, tf.tensor1d([1, 1, 2], 'int32'))))(x);
      });
    once();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) once();
    expect(tf.memory().numTensors).toBe(before);
  });
});
