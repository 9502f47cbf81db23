import { initBackend } from '../src/main/engine/backend.ts';
import { tf } from '../src/main/engine/tf.ts';
import { Trainer } from '../src/main/engine/train.ts';
import { RunConfig } from '../src/shared/config.ts';
await initBackend('wasm');
const fam = process.argv[2] ?? 'mamba';
const config = RunConfig.parse({ backend: 'wasm', model: fam === 'mamba' ? { family: 'mamba', n_layer: 7 } : { n_layer: 4 }, train: { batch_size: 12, micro_batch_size: 12, lr: 1e-3, warmup_steps: 0 } });
const t = new Trainer({ config, backend: 'wasm' });
t.trainStep(); t.trainStep();
const p = await tf.profile(() => { t.trainStep(); });
const by = new Map<string, { ms: number; n: number }>();
for (const k of p.kernels) { const e = by.get(k.name) ?? { ms: 0, n: 0 }; e.ms += k.kernelTimeMs as number; e.n++; by.set(k.name, e); }
const tot = [...by.values()].reduce((a, b) => a + b.ms, 0);
console.log('kernels total ms', tot.toFixed(0), 'count', p.kernels.length);
for (const [k, v] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) console.log(k.padEnd(28), v.ms.toFixed(1).padStart(8), String(v.n).padStart(6));
