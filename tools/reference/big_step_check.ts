// One-off check: can the 10.8M model (6 layers, 6 heads, d 384, block 256, batch 8) take steps on wasm with the
// automatic micro-batching? Prints the chosen split, step time and tensor bytes. Usage: npx tsx tools/reference/big_step_check.ts [micro|auto]
import { RunConfig } from '../../src/shared/config.ts';
import { initBackend } from '../../src/main/engine/backend.ts';
import { Trainer } from '../../src/main/engine/train.ts';
import { tf } from '../../src/main/engine/tf.ts';

const micro = process.argv[2] && process.argv[2] !== 'auto' ? Number(process.argv[2]) : 'auto';
const config = RunConfig.parse({
  backend: 'wasm',
  model: { n_layer: 6, n_head: 6, d_model: 384, block_size: 256 },
  train: { batch_size: 8, micro_batch_size: micro, steps: 10, warmup_steps: 1 },
});
const backend = await initBackend('wasm');
const t = new Trainer({ config, backend: backend.name });
console.log(`params ${t.params}; micro ${t.microBatch} × ${t.accumulation}`);
for (let i = 0; i < 2; i++) {
  const r = t.trainStep();
  console.log(`step ${r.step}: loss ${r.loss.toFixed(4)} ${(r.stepMs / 1000).toFixed(1)} s, ${r.tokensPerS.toFixed(0)} tokens/s, tensors ${tf.memory().numTensors}, bytes ${(tf.memory().numBytes / 1e6).toFixed(0)} MB, rss ${(process.memoryUsage().rss / 1e9).toFixed(2)} GB`);
}
t.dispose();
