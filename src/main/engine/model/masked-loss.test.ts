// Masked cross-entropy against PyTorch's cross_entropy(ignore_index=-100) (fixture from
// tools/reference/masked_ce_reference.py): value and gradient to 1e-6, and no gradient at ignored positions.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { tf } from '../tf.ts';
import { initBackend } from '../backend.ts';
import { maskedCrossEntropy } from './masked-loss.ts';

interface Fixture {
  n: number;
  v: number;
  logits: number[];
  targets: number[];
  cases: { label_smoothing: number; loss: number; grad: number[] }[];
}
const fx = JSON.parse(readFileSync(new URL('../../../../tools/reference/fixtures/masked_ce.json', import.meta.url), 'utf8')) as Fixture;

describe.each(['cpu', 'wasm'] as const)('maskedCrossEntropy on %s', (backend) => {
  it.each(fx.cases)('matches PyTorch with label smoothing $label_smoothing', async (c) => {
    await initBackend(backend);
    const logits = tf.tensor2d(fx.logits, [fx.n, fx.v]);
    const targets = tf.tensor1d(fx.targets, 'int32');
    const before = tf.memory().numTensors;
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => maskedCrossEntropy(x as tf.Tensor2D, targets, { labelSmoothing: c.label_smoothing }))(logits);
    expect(Math.abs(value.dataSync()[0]! - c.loss)).toBeLessThan(1e-6);
    const g = grad.dataSync();
    let maxErr = 0;
    for (let i = 0; i < g.length; i++) maxErr = Math.max(maxErr, Math.abs(g[i]! - c.grad[i]!));
    expect(maxErr).toBeLessThan(1e-6);
    fx.targets.forEach((t, row) => {
      if (t !== -100) return;
      for (let j = 0; j < fx.v; j++) expect(Math.abs(g[row * fx.v + j]!)).toBe(0);
    });
    tf.dispose([value, grad]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, targets]);
  });
});
