import { registerTfjsResolveHook } from '../src/main/tfjs-resolve-hook.ts';
registerTfjsResolveHook();
const { initBackend } = await import('../src/main/engine/backend.ts');
const { tf } = await import('../src/main/engine/tf.ts');
await initBackend('wasm');
function time(name: string, f: () => tf.Tensor, reps = 30) {
  for (let i = 0; i < 3; i++) tf.tidy(() => { f(); });
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) tf.tidy(() => { f(); });
  const ms = (performance.now() - t0) / reps;
  console.log(`${name.padEnd(40)} ${(ms*1000).toFixed(0)} us`);
}
for (const [s, p] of [[[2048,128],[1,0]], [[2048,512],[1,0]], [[128,2048],[1,0]], [[64,128,128],[0,2,1]], [[64,128,32],[0,2,1]], [[16,128,4,32],[0,2,1,3]], [[768,512],[1,0]], [[48,64,64],[0,2,1]]] as [number[], number[]][]) {
  const x = tf.randomNormal(s);
  time(`transpose ${s} ${p}`, () => tf.transpose(x, p));
  const y = tf.randomNormal([2048, 512]);
  if (s[0] === 2048 && s[1] === 512) { time('sum axis0 2048x512', () => tf.sum(y, 0)); time('ones matmul', () => tf.matMul(tf.ones([1, 2048]), y)); time('sum axis-1', () => tf.sum(y, -1)); }
}
