// Cross-entropy: the fused op (softmax with a closed-form gradient; wasm kernels) against the textbook formula on
// wasm and cpu, numerically stable for large logits, and a bad target is a clear error.
import { describe, it, expect, afterAll } from 'vitest';
import { tf } from '../tf.ts';
import { initBackend } from '../backend.ts';
import { crossEntropy } from './loss.ts';

const N = 24;
const V = 37;

function inputs(): { logits: Float32Array; targets: Int32Array } {
  return tf.tidy(() => ({
    logits: tf.randomNormal([N, V], 0, 3, 'float32', 5).dataSync() as Float32Array,
    targets: Int32Array.from({ length: N }, (_, i) => (i * 11 + 3) % V),
  }));
}

/** Loss and d loss / d logits for a loss function, as plain arrays. */
function lossAndGrad(f: (x: tf.Tensor2D, y: tf.Tensor1D) => tf.Scalar, logits: Float32Array, targets: Int32Array): [number, Float32Array] {
  return tf.tidy(() => {
    const y = tf.tensor1d(targets, 'int32');
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => f(x as tf.Tensor2D, y))(tf.tensor2d(logits, [N, V]));
    return [value.dataSync()[0]!, grad.dataSync() as Float32Array];
  });
}

const textbook = (x: tf.Tensor2D, y: tf.Tensor1D): tf.Scalar => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(x), tf.oneHot(y, V)), -1))) as tf.Scalar;

afterAll(async () => {
  await initBackend('cpu');
});

describe('crossEntropy', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`on ${backend}: equals −mean log softmax[target], value and gradient`, async () => {
      await initBackend(backend);
      const { logits, targets } = inputs();
      const [l, g] = lossAndGrad((x, y) => crossEntropy(x, y), logits, targets);
      const [lr, gr] = lossAndGrad(textbook, logits, targets);
      expect(Math.abs(l - lr) / lr).toBeLessThan(1e-5);
      let worst = 0;
      for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(g[i]! - gr[i]!));
      expect(worst).toBeLessThan(1e-6);
      // Huge logits stay finite: one confident right row and one confident wrong row.
      const big = tf.tidy(() => crossEntropy(tf.tensor2d([[1000, -1000], [-1000, 1000]]), tf.tensor1d([0, 0], 'int32')).dataSync()[0]!);
      expect(big).toBeCloseTo(1000, 2);
    });
  }

  it('on wasm: a target outside the vocabulary is a one-line error naming it', async () => {
    await initBackend('wasm');
    expect(() => tf.tidy(() => crossEntropy(tf.zeros([2, 4]) as tf.Tensor2D, tf.tensor1d([1, 4], 'int32')))).toThrow(/target 4 outside the vocabulary \[0, 4\)/);
  });
});
