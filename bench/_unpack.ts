import { registerTfjsResolveHook } from '../src/main/tfjs-resolve-hook.ts';
registerTfjsResolveHook();
const { initBackend } = await import('../src/main/engine/backend.ts');
const { tf } = await import('../src/main/engine/tf.ts');
await initBackend('wasm');
for (const n of [512, 2048, 8192, 512, 2048, 8192]) {
  const x = tf.zeros([n, 64]);
  let t0 = performance.now();
  const parts = tf.unstack(x);
  const t1 = performance.now() - t0;
  t0 = performance.now();
  tf.dispose(parts);
  const t2 = performance.now() - t0;
  console.log(n, t1.toFixed(2), 'ms unstack', t2.toFixed(2), 'ms dispose');
  x.dispose();
}
