// The ceiling under the training figures: float32 matrix-product throughput per CPU-second of the wasm backend
// (XNNPACK, SIMD128) against PyTorch on one thread, at the shapes of the baseline and 10M models' linear layers.
// Usage: npx tsx bench/matmul.bench.ts [--seconds 2]
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { initBackend } from '../src/main/engine/backend.ts';
import { tf } from '../src/main/engine/tf.ts';
import { matMul2d } from '../src/main/engine/ops.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '2' } } });
const seconds = Number(values.seconds);
// [m, k, p]: tokens × d_model · d_model × 4·d_model (the MLP's up-projection), per model.
const SHAPES: [string, number, number, number][] = [
  ['baseline', 768, 128, 512],
  ['10M', 2048, 384, 1536],
];

function measure(fn: () => void, flops: number): number {
  fn();
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    fn();
    n++;
  }
  const cpu = process.cpuUsage(c0);
  return (n * flops) / ((cpu.user + cpu.system) / 1e6) / 1e9;
}

await initBackend('wasm');
const torchScript = `
import sys, time, torch
torch.set_num_threads(1)
for m, k, p in [${SHAPES.map(([, m, k, p]) => `(${m},${k},${p})`).join(',')}]:
    a, b = torch.randn(m, k), torch.randn(k, p)
    a @ b
    n, c0, t0 = 0, time.process_time(), time.perf_counter()
    while time.perf_counter() - t0 < ${seconds}:
        a @ b; n += 1
    print(2 * m * k * p * n / (time.process_time() - c0) / 1e9)
`;
const torch = spawnSync('/usr/bin/python3', ['-c', torchScript], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } });
const torchRates = torch.status === 0 ? torch.stdout.trim().split('\n').map(Number) : [];
console.log('GFLOP per CPU-second, float32 a[m,k]·b[k,p] (forward of the MLP up-projection):');
SHAPES.forEach(([name, m, k, p], i) => {
  const a = tf.randomNormal([m, k]) as tf.Tensor2D;
  const b = tf.randomNormal([k, p]) as tf.Tensor2D;
  const wasm = measure(() => tf.tidy(() => void matMul2d(a, b).dataSync()), 2 * m * k * p);
  const t = torchRates[i];
  console.log(`  ${name.padEnd(9)} [${m}×${k}]·[${k}×${p}]  wasm ${wasm.toFixed(1).padStart(6)}   torch 1 thread ${t != null ? t.toFixed(1).padStart(6) : '  n/a'}${t != null ? `   wasm/torch ${(wasm / t).toFixed(2)}` : ''}`);
  a.dispose();
  b.dispose();
});
