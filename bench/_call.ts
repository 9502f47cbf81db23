import { registerTfjsResolveHook } from '../src/main/tfjs-resolve-hook.ts';
registerTfjsResolveHook();
const { initBackend } = await import('../src/main/engine/backend.ts');
const { tf } = await import('../src/main/engine/tf.ts');
await initBackend('wasm');
const as = Array.from({ length: 48 }, () => tf.randomNormal([64, 32]) as tf.Tensor2D);
const bs = Array.from({ length: 48 }, () => tf.randomNormal([32, 64]) as tf.Tensor2D);
const cs = Array.from({ length: 48 }, () => tf.randomNormal([64, 64]) as tf.Tensor2D);
function time(name: string, f: () => void, reps = 50) {
  for (let i = 0; i < 5; i++) tf.tidy(f);
  const t0 = performance.now(); for (let i = 0; i < reps; i++) tf.tidy(f);
  console.log(name.padEnd(36), (((performance.now() - t0) / reps) * 1000).toFixed(0), 'us');
}
time('48x matMul [64,32][32,64]', () => { for (let i = 0; i < 48; i++) tf.matMul(as[i]!, bs[i]!); });
time('48x matMul [64,64][64,32]', () => { for (let i = 0; i < 48; i++) tf.matMul(cs[i]!, as[i]!); });
time('48x add [64,64]', () => { for (let i = 0; i < 48; i++) tf.add(cs[i]!, cs[i]!); });
time('48x reshape', () => { for (let i = 0; i < 48; i++) tf.reshape(cs[i]!, [4096]); });
const big = tf.randomNormal([48, 64, 64]);
time('unstack [48,64,64]', () => { tf.unstack(big); });
time('stack 48x[64,64]', () => { tf.stack(cs); });
time('1x batched matMul [48,64,32]x[48,32,64]', () => { tf.matMul(tf.stack(as), tf.stack(bs)); });
