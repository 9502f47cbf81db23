// The muon optimizer inside the train loop, for gpt and llama: which parameters Muon and AdamW each move in one
// step, bit-identical resume with Muon's state, the checkpoint's state names, and flat tensor counts.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../tf.ts';
import { Trainer } from '../train.ts';
import { tinyConfig, tinyText } from '../testing/tiny.ts';
import { decodeSafetensors } from '../checkpoint/safetensors.ts';
import type { RunConfigInput } from '../../../shared/config.ts';
import { usesMuon } from './muon.ts';

const text = tinyText();
const ADAMW_LR = 2e-3;
const MUON_LR = 0.03;
const families = {
  gpt: { family: 'gpt', n_layer: 2, n_head: 2, d_model: 16, block_size: 8, dropout: 0.1 },
  llama: { family: 'llama', n_layer: 2, n_head: 4, n_kv_head: 2, d_model: 16, block_size: 8, tie_embeddings: false },
} as const;

const make = (model: RunConfigInput['model'], resumeFrom: string | null = null): Trainer =>
  new Trainer({
    config: tinyConfig({
      seed: 5,
      data: { tokenizer: 'char' },
      model,
      // Constant rates and no clipping, so one step's size is exactly each optimizer's own.
      train: { optimizer: 'muon', lr: ADAMW_LR, min_lr: ADAMW_LR, schedule: 'constant', warmup_steps: 0, grad_clip: 0, muon: { lr: MUON_LR } },
    }),
    backend: 'cpu',
    text,
    resumeFrom,
  });

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
  dir = mkdtempSync(join(tmpdir(), 'loupe-muon-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

for (const [family, model] of Object.entries(families)) {
  describe(`muon on ${family}`, () => {
    it('moves hidden matrices by an orthogonalised step and embeddings, head and norms by AdamW, in the same step', () => {
      const t = make(model);
      const before = t.snapshot();
      t.trainStep();
      const after = t.snapshot();
      const roles = new Set<string>();
      for (const p of t.model.layout) {
        const a = before.get(p.name)!;
        const b = after.get(p.name)!;
        let sq = 0;
        let maxAbs = 0;
        for (let i = 0; i < a.length; i++) {
          const d = b[i]! - a[i]!;
          sq += d * d;
          maxAbs = Math.max(maxAbs, Math.abs(d));
        }
        expect(maxAbs, `${p.name} moved`).toBeGreaterThan(0);
        roles.add(p.role);
        if (usesMuon(p.role, p.shape)) {
          // lr·scale·NS(g): singular values near 1, so ‖Δ‖_F ≈ lr·scale·√min(in, out); an AdamW step (≈ lr per entry) is far off.
          const [fanIn, fanOut] = p.shape as [number, number];
          const scale = Math.sqrt(Math.max(1, fanOut / fanIn));
          const ratio = Math.sqrt(sq) / (MUON_LR * scale * Math.sqrt(Math.min(fanIn, fanOut)));
          expect(ratio, p.name).toBeGreaterThan(0.5);
          expect(ratio, p.name).toBeLessThan(1.3);
        } else {
          // AdamW's first step is lr·g/(|g| + ε) per entry (bias-corrected; weight decay on the head is 2e-4·|w|).
          expect(maxAbs, p.name).toBeLessThan(ADAMW_LR * 1.01);
          expect(maxAbs, p.name).toBeGreaterThan(ADAMW_LR * 0.9);
        }
      }
      expect([...roles].sort()).toEqual(family === 'gpt' ? ['bias', 'embedding', 'matrix', 'norm'] : ['embedding', 'head', 'matrix', 'norm']);
      const groups = t.optimizer.groups.map((g) => g.name);
      expect(groups).toEqual(['muon', 'decay', 'no_decay'].filter((g) => family === 'llama' || g !== 'decay'));
      t.dispose();
    });

    it('resumes bit-identically with Muon state: N straight = N/2 + save + load + N/2', () => {
      const straight = make(model);
      for (let i = 0; i < 6; i++) straight.trainStep();
      const a = straight.snapshot();
      straight.dispose();

      const first = make(model);
      for (let i = 0; i < 3; i++) first.trainStep();
      const saved = first.saveCheckpoint(join(dir, family));
      first.dispose();
      const names = [...decodeSafetensors(readFileSync(join(saved.path, 'optimizer.safetensors'))).tensors.keys()];
      expect(names.some((n) => n.startsWith('muon.momentum_buffer.'))).toBe(true);
      expect(names.some((n) => n.startsWith('muon.exp_avg.'))).toBe(true);
      expect(names.every((n) => /^muon\.(momentum_buffer|exp_avg|exp_avg_sq)\./.test(n))).toBe(true);

      const second = make(model, saved.path);
      expect(second.step).toBe(3);
      for (let i = 0; i < 3; i++) second.trainStep();
      expect(same(a, second.snapshot())).toBe(true);
      second.dispose();
    });

    it('keeps tf.memory().numTensors flat across steps', () => {
      const t = make(model);
      t.trainStep();
      const n = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) t.trainStep();
      expect(tf.memory().numTensors).toBe(n);
      t.dispose();
    });
  });
}
