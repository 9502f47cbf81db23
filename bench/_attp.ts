const { initBackend } = await import('../src/main/engine/backend.ts');
const { tf } = await import('../src/main/engine/tf.ts');
const { causalAttention } = await import('../src/main/engine/ops.ts');
await initBackend('wasm');
const [B, H, T, hd] = (process.argv[2] ?? '12,4,64,32').split(',').map(Number) as [number, number, number, number];
const q = tf.randomNormal([B, H, T, hd]), k = tf.randomNormal([B, H, T, hd]), v = tf.randomNormal([B, H, T, hd]);
const f = () => tf.tidy(() => { const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(causalAttention(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D)))([q, k, v]); g.forEach((t) => t.dataSync()); });
for (let i = 0; i < 10; i++) f();
const t0 = performance.now(); for (let i = 0; i < 20; i++) f(); console.log('wall ms', ((performance.now() - t0) / 20).toFixed(2));
const prof = await tf.profile(f);
let tot = 0;
for (const kk of prof.kernels) { if (kk.name !== 'forward') tot += kk.kernelTimeMs as number; console.log(kk.name.padEnd(20), (kk.kernelTimeMs as number).toFixed(3), kk.inputShapes.map((s) => `[${s}]`).join('')); }
console.log('kernel total', tot.toFixed(2));
const g2 = () => tf.tidy(() => { tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(causalAttention(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D)))([q, k, v]); });
const fw = () => tf.tidy(() => { causalAttention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D); });
const ds = () => tf.tidy(() => { q.dataSync(); k.dataSync(); v.dataSync(); });
for (const [n, fn] of [['grads no sync', g2], ['fwd only', fw], ['3 dataSync', ds], ['full', f]] as const) {
  for (let i = 0; i < 5; i++) fn();
  const t = performance.now(); for (let i = 0; i < 20; i++) fn(); console.log(n, ((performance.now() - t) / 20).toFixed(2), 'ms');
}
