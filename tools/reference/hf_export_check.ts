// One-off check that `exportHfModel` writes folders the Hugging Face GPT-2, LLaMA and Mamba layouts read: trains tiny models
// a few steps, exports them, and has check_hf_export.py (PyTorch) recompute the logits. Usage: npx tsx tools/reference/hf_export_check.ts
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-cpu';
import { tf } from '../../src/main/engine/tf.ts';
import { Trainer } from '../../src/main/engine/train.ts';
import { exportHfModel } from '../../src/main/engine/checkpoint/checkpoint.ts';
import { tinyConfig, tinyText } from '../../src/main/engine/testing/tiny.ts';

await tf.setBackend('cpu');
const dir = mkdtempSync(join(tmpdir(), 'loupe-hf-'));
const models = [
  {},
  { bias: false, tie_embeddings: false },
  { family: 'llama' as const },
  { family: 'llama' as const, n_head: 4, n_kv_head: 2, tie_embeddings: false, rope_theta: 500, norm_eps: 1e-6, mlp_hidden: 24 },
  { family: 'mamba' as const },
  { family: 'mamba' as const, tie_embeddings: false, d_state: 4, d_conv: 3, expand: 3, dt_rank: 2 },
];
for (const model of models) {
  const t = new Trainer({ config: tinyConfig({ model }), backend: 'cpu', text: tinyText() });
  for (let i = 0; i < 5; i++) t.trainStep();
  const ck = t.saveCheckpoint(join(dir, 'ckpt'));
  const out = join(dir, 'hf');
  exportHfModel(ck.path, out);
  const ids = [[10, 104, 101, 32, 119, 104, 97, 108]];
  const logits = tf.tidy(() => Array.from(t.model.forward(tf.tensor2d(ids, [1, 8], 'int32'), { training: false }).logits.dataSync()));
  writeFileSync(join(dir, 'logits.json'), JSON.stringify({ ids, logits }));
  const script = fileURLToPath(new URL('./check_hf_export.py', import.meta.url));
  console.log(JSON.stringify(model), execFileSync('/usr/bin/python3', [script, out, join(dir, 'logits.json')], { encoding: 'utf8' }).trim());
  t.dispose();
}
