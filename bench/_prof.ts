import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
const { initBackend } = await import('../src/main/engine/backend.ts');
const { tf } = await import('../src/main/engine/tf.ts');
const { resolveConfig } = await import('../src/shared/config.ts');
const { Trainer } = await import('../src/main/engine/train.ts');
const ch = await initBackend('wasm');
const raw = parse(readFileSync('resources/configs/baseline-nanogpt-cpu-moby-byte.yaml', 'utf8'));
const [T, B] = (process.argv[2] ?? '64,12').split(',').map(Number);
raw.model.block_size = T; raw.train.batch_size = B;
const r = resolveConfig(raw); if (!r.ok) throw new Error('cfg');
const tr = new Trainer({ config: r.config, backend: ch.name });
for (let i = 0; i < 3; i++) tr.trainStep();
let t0 = performance.now(); const N = 10;
for (let i = 0; i < N; i++) tr.trainStep();
console.log('step ms', ((performance.now() - t0) / N).toFixed(1), 'tensors', tf.memory().numTensors);
const prof = await tf.profile(() => { tr.trainStep(); });
const agg = new Map<string, [number, number]>();
for (const k of prof.kernels) { const key0 = k.name === 'Transpose' || k.name === 'Sum' || k.name === 'BatchMatMul' ? `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join('')}` : k.name; const a = agg.get(key0) ?? [0, 0]; a[0] += k.kernelTimeMs as number; a[1]++; agg.set(key0, a); }
const rows = [...agg].sort((a, b) => b[1][0] - a[1][0]);
let tot = 0, cnt = 0; for (const [n, [t, c]] of rows) { if (n !== 'forward') { tot += t; cnt += c; } }
console.log('kernel total ms (excl forward)', tot.toFixed(1), 'calls', cnt);
for (const [n, [t, c]] of rows.slice(0, 30)) console.log(n.padEnd(24), t.toFixed(2).padStart(8), String(c).padStart(6));
