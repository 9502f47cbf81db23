const { initBackend } = await import('../src/main/engine/backend.ts');
const { tf } = await import('../src/main/engine/tf.ts');
const ops = await import('../src/main/engine/ops.ts');
const { layerNorm } = await import('../src/main/engine/model/layers.ts');
await initBackend('wasm');
const x = tf.randomNormal([768, 128]), g = tf.randomNormal([128]), b = tf.randomNormal([128]);
const f = (fn: typeof layerNorm) => () => tf.tidy(() => { const gs = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(fn(a as tf.Tensor2D, c as tf.Tensor1D, d as tf.Tensor1D), x)))([x, g, b]); gs[0]!.dataSync(); return gs.map((t) => t.dataSync()); });
const A = f(layerNorm), B = f(ops.layerNorm);
const ra = A(), rb = B();
let err = 0; ra.forEach((r, i) => r.forEach((v, j) => { err = Math.max(err, Math.abs(v - rb[i]![j]!)); }));
console.log('max grad diff', err);
for (let round = 0; round < 3; round++) for (const [n, fn] of [['model', A], ['fused', B]] as const) {
  for (let i = 0; i < 3; i++) fn();
  const t0 = performance.now(); for (let i = 0; i < 30; i++) fn();
  console.log(n, ((performance.now() - t0) / 30).toFixed(3), 'ms');
}
for (const [n, fn] of [['model', A], ['fused', B]] as const) {
  const prof = await tf.profile(() => { fn(); });
  const rows = prof.kernels.map((k) => [k.name, k.kernelTimeMs as number, k.inputShapes.map((s) => `[${s}]`).join('')] as const).sort((a, b) => b[1] - a[1]).slice(0, 6);
  console.log(n, prof.kernels.filter((k) => k.name !== 'forward').reduce((a, k) => a + (k.kernelTimeMs as number), 0).toFixed(2), prof.kernels.length, rows.map((r) => `${r[0]} ${r[1].toFixed(2)} ${r[2]}`).join(' | '));
}
