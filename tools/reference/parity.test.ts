// Parity with PyTorch: the fixtures written by gpt_reference.py (fixed weights, a batch, logits, loss, gradients,
// 10 AdamW steps with clipping and warmup+cosine) must be reproduced by Loupe's engine on cpu and wasm.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { tf } from '../../src/main/engine/tf.ts';
import { initBackend } from '../../src/main/engine/backend.ts';
import { decodeSafetensors } from '../../src/main/engine/checkpoint/safetensors.ts';
import { Trainer } from '../../src/main/engine/train.ts';
import { crossEntropy } from '../../src/main/engine/model/loss.ts';
import { RunConfig } from '../../src/shared/config.ts';
import { fixturesDir, maxRelErr } from './parity-fixtures.ts';

interface Fixture {
  model: { vocab_size: number; block_size: number; n_layer: number; n_head: number; d_model: number };
  batch: number;
  x: number[];
  y: number[];
  logits: number[];
  loss: number;
  grads: Record<string, number[]>;
  train: { steps: number; lr: number; min_lr: number; warmup_steps: number; beta1: number; beta2: number; eps: number; weight_decay: number; grad_clip: number };
  trajectory: { batches: { x: number[]; y: number[] }[]; losses: number[]; grad_norms: number[]; lrs: number[]; clipped: boolean[]; final_loss_on_first_batch: number };
}

const dir = fixturesDir;
const fx = JSON.parse(readFileSync(new URL('gpt_tiny.json', dir), 'utf8')) as Fixture;
const weights = decodeSafetensors(readFileSync(new URL('gpt_tiny_weights.safetensors', dir)), 'fixture weights');

function trainer(micro: number): Trainer {
  const m = fx.model;
  const config = RunConfig.parse({
    seed: 1,
    data: { tokenizer: 'char' },
    model: { n_layer: m.n_layer, n_head: m.n_head, d_model: m.d_model, block_size: m.block_size, dropout: 0 },
    train: { ...fx.train, batch_size: fx.batch, micro_batch_size: micro, schedule: 'cosine' },
  });
  // A text with exactly vocab_size distinct characters, so the char tokenizer has the fixture's vocabulary.
  const chars = Array.from({ length: m.vocab_size }, (_, i) => String.fromCharCode(65 + i));
  const t = new Trainer({ config, backend: tf.getBackend(), text: chars.join('').repeat(20) });
  t.setParams(new Map([...weights.tensors].map(([k, v]) => [k, v.data])));
  return t;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`PyTorch parity on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
      expect(tf.getBackend()).toBe(backend);
    });

    it('same logits, loss and gradients from the same weights', () => {
      const t = trainer(fx.batch);
      const B = fx.batch;
      const T = fx.model.block_size;
      const V = fx.model.vocab_size;
      const vars = [...t.model.params.values()];
      const { value, grads } = tf.variableGrads(() => {
        const { logits } = t.model.forward(tf.tensor2d(fx.x, [B, T], 'int32'), { training: false });
        return crossEntropy(tf.reshape(logits, [B * T, V]) as tf.Tensor2D, tf.tensor1d(fx.y, 'int32'));
      }, vars);
      const loss = value.dataSync()[0];
      expect(Math.abs(loss - fx.loss) / fx.loss).toBeLessThan(1e-4);
      const logits = tf.tidy(() => t.model.forward(tf.tensor2d(fx.x, [B, T], 'int32'), { training: false }).logits.dataSync());
      expect(maxRelErr(logits, fx.logits)).toBeLessThan(1e-4);
      for (const [name, v] of t.model.params) {
        const g = grads[v.name].dataSync();
        expect(maxRelErr(g, fx.grads[name]), name).toBeLessThan(1e-3);
      }
      value.dispose();
      for (const g of Object.values(grads)) g.dispose();
      t.dispose();
    });

    for (const micro of [fx.batch, fx.batch / 2]) {
      it(`same loss trajectory over 10 AdamW steps (clip, warmup+cosine, micro-batch ${micro})`, () => {
        const t = trainer(micro);
        const T = fx.model.block_size;
        fx.trajectory.batches.forEach((b, i) => {
          const r = t.trainStep({ x: Int32Array.from(b.x), y: Int32Array.from(b.y), batch: fx.batch, T });
          expect(r.lr).toBeCloseTo(fx.trajectory.lrs[i], 10);
          expect(Math.abs(r.loss - fx.trajectory.losses[i]) / fx.trajectory.losses[i]).toBeLessThan(1e-4);
          expect(Math.abs(r.gradNorm - fx.trajectory.grad_norms[i]) / fx.trajectory.grad_norms[i]).toBeLessThan(1e-3);
          expect(r.clipped).toBe(fx.trajectory.clipped[i]);
        });
        const B = fx.batch;
        const final = tf.tidy(() => {
          const { logits } = t.model.forward(tf.tensor2d(fx.x, [B, T], 'int32'), { training: false });
          return crossEntropy(tf.reshape(logits, [B * T, -1]) as tf.Tensor2D, tf.tensor1d(fx.y, 'int32')).dataSync()[0];
        });
        expect(Math.abs(final - fx.trajectory.final_loss_on_first_batch) / final).toBeLessThan(1e-4);
        t.dispose();
      });
    }
  });
}
