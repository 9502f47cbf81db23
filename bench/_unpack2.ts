import { registerTfjsResolveHook } from '../src/main/tfjs-resolve-hook.ts';
registerTfjsResolveHook();
const { initBackend } = await import('../src/main/engine/backend.ts');
const { tf } = await import('../src/main/engine/tf.ts');
await initBackend('wasm');
const be = tf.backend() as unknown as { makeOutput: (s: number[], d: string) => tf.TensorInfo; disposeData: (d: object) => void; typedArrayFromHeap: (t: tf.TensorInfo) => Float32Array };
for (const n of [1024, 8192, 1024, 8192]) {
  let t0 = performance.now();
  const outs = []; for (let i = 0; i < n; i++) outs.push(be.makeOutput([64], 'float32'));
  const t1 = performance.now() - t0; t0 = performance.now();
  for (const o of outs) be.typedArrayFromHeap(o);
  const t2 = performance.now() - t0; t0 = performance.now();
  for (const o of outs) be.disposeData(o.dataId);
  const t3 = performance.now() - t0;
  const x = tf.zeros([n, 64]);
  t0 = performance.now(); const parts = tf.unstack(x); const t4 = performance.now() - t0;
  t0 = performance.now(); const parts2 = tf.tidy(() => Array.from({ length: n }, (_, i) => tf.reshape(x, [n * 64]))); const t5 = performance.now() - t0;
  tf.dispose(parts); tf.dispose(parts2); x.dispose();
  console.log(n, 'makeOutput', t1.toFixed(2), 'views', t2.toFixed(2), 'dispose', t3.toFixed(2), 'unstack', t4.toFixed(2), 'n reshapes', t5.toFixed(2));
}
