// The mixture-of-experts MLP inside the train loop, for gpt, llama and a hybrid's attention layers: the loss falls with the auxiliary losses
// recorded apart, tensor counts stay flat, gradients reach the router, the eval records each expert's load, Muon
// leaves the router to AdamW, a checkpoint resumes bit-identically, and the Hugging Face export is refused.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../tf.ts';
import { Trainer, runTraining } from '../train.ts';
import { tinyConfig, tinyText } from '../testing/tiny.ts';
import { exportHfModel } from '../checkpoint/checkpoint.ts';
import { decodeSafetensors } from '../checkpoint/safetensors.ts';
import { linear } from '../ops.ts';
import { moeMixOp, type Experts } from './moe.ts';
import { expertLoadKey, type MetricPoint } from '../../../shared/metrics.ts';
import type { RunConfigInput } from '../../../shared/config.ts';

const text = tinyText();
const families = {
  gpt: { family: 'gpt', n_layer: 2, n_head: 2, d_model: 16, block_size: 8, moe: { experts: 4, top_k: 2 } },
  llama: { family: 'llama', n_layer: 2, n_head: 4, n_kv_head: 2, d_model: 16, block_size: 8, moe: { experts: 3, top_k: 1 } },
  // Experts on the attention layers only: a Mamba block has no MLP.
  hybrid: { family: 'hybrid', layers: 'AMA', n_layer: 3, n_head: 2, d_model: 16, block_size: 8, moe: { experts: 4, top_k: 2 } },
} as const;

const make = (o: RunConfigInput, resumeFrom: string | null = null): Trainer =>
  new Trainer({ config: tinyConfig({ seed: 5, data: { tokenizer: 'char' }, ...o }), backend: 'cpu', text, resumeFrom });

function same(a: Map<string, Float32Array>, b: Map<string, Float32Array>): boolean {
  for (const [k, v] of a) {
    const w = b.get(k)!;
    for (let i = 0; i < v.length; i++) if (v[i] !== w[i]) return false;
  }
  return true;
}

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'loupe-moe-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the gathered expert mix (the wasm choice)', () => {
  it('equals the gate-masked reference, value and gradients, with an expert no token chose getting zero gradient', () => {
    const n = 10;
    const d = 6;
    const E = 3;
    const r = (shape: [number, number], seed: number): tf.Tensor2D => tf.randomNormal(shape, 0, 1, 'float32', seed);
    const w = [0, 1, 2].flatMap((e) => [r([d, 5], 10 + e), r([5, d], 20 + e)]);
    const h = r([n, d], 1);
    // Expert 2's logit is far below the others on every row: top-2 never picks it.
    const logits = tf.concat([r([n, 2], 2), tf.fill([n, 1], -50)], 1) as tf.Tensor2D;
    const experts = (ws: tf.Tensor[]): Experts => ({
      count: E,
      hidden: (e, x) => tf.relu(linear(x, ws[2 * e] as tf.Tensor2D)) as tf.Tensor2D,
      hiddenAll: (x) => tf.relu(linear(x, tf.concat([0, 1, 2].map((e) => ws[2 * e] as tf.Tensor2D), 1))) as tf.Tensor2D,
      down: [0, 1, 2].map((e) => ws[2 * e + 1] as tf.Tensor2D),
    });
    const run = (impl: typeof moeMixOp.reference): Float32Array[] =>
      tf.tidy(() => {
        const f = (hh: tf.Tensor, ll: tf.Tensor, ...ws: tf.Tensor[]): tf.Tensor => tf.sum(tf.square(impl(hh as tf.Tensor2D, ll as tf.Tensor2D, 2, experts(ws))));
        const value = f(h, logits, ...w);
        return [value, ...tf.grads(f)([h, logits, ...w])].map((t) => t.dataSync() as Float32Array);
      });
    const before = tf.memory().numTensors;
    const ref = run(moeMixOp.reference);
    const gathered = run(moeMixOp.fast.wasm!);
    expect(tf.memory().numTensors).toBe(before);
    gathered.forEach((g, i) => g.forEach((v, j) => expect(v, `output ${i}[${j}]`).toBeCloseTo(ref[i]![j]!, 4)));
    // [value, dh, dlogits, dw…]: the idle expert's two weights come last, zero but present.
    expect(gathered.length).toBe(9);
    for (const k of [7, 8]) expect(gathered[k]!.every((v) => v === 0)).toBe(true);
    expect(gathered[2]!.some((v) => v !== 0)).toBe(true);
    tf.dispose([h, logits, ...w]);
  });
});

for (const [family, model] of Object.entries(families)) {
  describe(`${family} with a mixture of experts`, () => {
    it('learns: the loss falls, the auxiliary losses are recorded apart from it, tensor counts stay flat', () => {
      const t = make({ model, train: { steps: 100, lr: 1e-2, min_lr: 1e-2, warmup_steps: 0, schedule: 'constant', batch_size: 4, micro_batch_size: 2 } });
      const batch = t.data.nextTrainBatch(4);
      const first = t.trainStep(batch);
      t.evaluate();
      const before = tf.memory().numTensors;
      let last = first;
      for (let i = 0; i < 40; i++) last = t.trainStep(batch);
      t.evaluate();
      expect(tf.memory().numTensors).toBe(before);
      expect(last.loss).toBeLessThan(first.loss * 0.6);
      expect(Object.keys(last.parts).sort()).toEqual(['ce', 'moe_balance', 'moe_z']);
      // train/loss is the cross-entropy alone: the auxiliaries are regularisers, recorded unweighted beside it.
      expect(last.loss).toBeCloseTo(last.parts.ce!, 5);
      // E·Σ f·P is 1 for uniform routing and at least ~1 otherwise; the z-loss is positive.
      expect(last.parts.moe_balance!).toBeGreaterThan(0.9);
      expect(last.parts.moe_z!).toBeGreaterThan(0);
      t.dispose();
    });

    it('sends gradient to every router and every expert through the gate probabilities', () => {
      const t = make({ model });
      const b = t.data.nextTrainBatch(4);
      const vars = [...t.model.params.values()];
      const { value, grads } = tf.variableGrads(() => {
        const out = t.model.forward(tf.tensor2d(b.x, [b.batch, b.T], 'int32'), { training: true });
        return tf.add(tf.mean(out.logits), out.aux!.moe_balance!.value) as tf.Scalar;
      }, vars);
      for (const [name, v] of t.model.params) {
        if (!/router|mlp\.gate\.weight|experts/.test(name)) continue;
        const g = grads[v.name]!.dataSync();
        expect(g.some((x) => x !== 0), name).toBe(true);
      }
      value.dispose();
      for (const g of Object.values(grads)) g.dispose();
      t.dispose();
    });

    it("records each expert's share of the routed slots at every eval, per block and averaged", async () => {
      const t = make({ model, train: { steps: 4, batch_size: 2 }, eval: { every: 2, batches: 1 } });
      const points: MetricPoint[] = [];
      await runTraining(t, null, { started: () => undefined, metrics: (p) => void points.push(...p), checkpoint: () => undefined, control: () => null });
      t.dispose();
      const E = model.moe.experts;
      // Loads are per block with experts (a hybrid's Mamba blocks have none).
      const blocks = 'layers' in model ? [...model.layers].filter((c) => c === 'A').length : model.n_layer;
      for (const step of [0, 2, 4]) {
        const at = (key: string): number => points.find((p) => p.step === step && p.key === key)!.value;
        for (let layer = 0; layer < blocks; layer++) {
          const row = Array.from({ length: E }, (_, e) => at(expertLoadKey(e, layer)));
          expect(row.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
          for (const v of row) expect(v).toBeGreaterThanOrEqual(0);
        }
        for (let e = 0; e < E; e++) {
          const perLayer = Array.from({ length: blocks }, (_, layer) => at(expertLoadKey(e, layer)));
          expect(at(expertLoadKey(e))).toBeCloseTo(perLayer.reduce((a, v) => a + v, 0) / blocks, 6);
        }
      }
      // Loads are eval metrics only; the training steps carry the auxiliary losses.
      expect(points.some((p) => p.key === 'train/moe_balance' && p.step === 1)).toBe(true);
      expect(points.filter((p) => p.key.startsWith('eval/expert_load/')).every((p) => [0, 2, 4].includes(p.step))).toBe(true);
    });

    it('resumes bit-identically with Muon on the experts and AdamW on the routers', () => {
      const o: RunConfigInput = { model, train: { optimizer: 'muon' } };
      const straight = make(o);
      for (let i = 0; i < 4; i++) straight.trainStep();
      const a = straight.snapshot();
      straight.dispose();
      const first = make(o);
      for (let i = 0; i < 2; i++) first.trainStep();
      const saved = first.saveCheckpoint(join(dir, family));
      first.dispose();
      const state = [...decodeSafetensors(readFileSync(join(saved.path, 'optimizer.safetensors'))).tensors.keys()];
      const routerName = family === 'gpt' ? 'transformer.h.0.mlp.router.weight' : 'model.layers.0.mlp.gate.weight';
      const expertName = family === 'gpt' ? 'transformer.h.0.mlp.experts.1.c_fc.weight' : 'model.layers.0.mlp.experts.1.up_proj.weight';
      expect(state).toContain(`muon.exp_avg.${routerName}`);
      expect(state).not.toContain(`muon.momentum_buffer.${routerName}`);
      expect(state).toContain(`muon.momentum_buffer.${expertName}`);
      const config = JSON.parse(readFileSync(join(saved.path, 'config.json'), 'utf8')) as Record<string, unknown>;
      expect(config).toMatchObject({ architectures: [], num_experts: model.moe.experts, num_experts_per_tok: model.moe.top_k, norm_topk_prob: false });
      expect(() => exportHfModel(saved.path, join(dir, `${family}-hf`))).toThrow(/^export --hf: a mixture-of-experts model has no Hugging Face class/);
      const second = make(o, saved.path);
      for (let i = 0; i < 2; i++) second.trainStep();
      expect(same(a, second.snapshot())).toBe(true);
      second.dispose();
    });
  });
}
