import { registerTfjsResolveHook } from '../src/main/tfjs-resolve-hook.ts';
registerTfjsResolveHook();
const { initBackend } = await import('../src/main/engine/backend.ts');
const { tf } = await import('../src/main/engine/tf.ts');
await initBackend((process.argv[2] ?? 'wasm') as 'wasm');
function time(name: string, flops: number, f: () => tf.Tensor, reps = 30) {
  for (let i = 0; i < 3; i++) tf.tidy(() => { f().dataSync(); });
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) tf.tidy(() => { f().dataSync(); });
  const ms = (performance.now() - t0) / reps;
  console.log(`${name.padEnd(40)} ${ms.toFixed(3)} ms  ${(flops / ms / 1e6).toFixed(2)} GFLOP/s`);
}
const n = 768, k = 128, m = 384;
const a = tf.randomNormal([n, k]), b = tf.randomNormal([k, m]);
const bt = tf.randomNormal([m, k]), at = tf.randomNormal([k, n]);
const F = 2 * n * k * m;
time('plain [768,128]x[128,384]', F, () => tf.matMul(a, b));
time('transB', F, () => tf.matMul(a, bt, false, true));
time('transA', F, () => tf.matMul(at, b, true, false));
time('transpose(bt)+plain', F, () => tf.matMul(a, tf.transpose(bt)));
time('transpose(at)+plain', F, () => tf.matMul(tf.transpose(at), b));
const dy = tf.randomNormal([n, m]);
time('dW = xT dy via transpose', F, () => tf.matMul(tf.transpose(a), dy));
time('dW = xT dy transA', F, () => tf.matMul(a, dy, true, false));
// attention: B*H = 48, T=64, hd=32
const B = 12, H = 4, T = 64, hd = 32;
const q = tf.randomNormal([B, H, T, hd]), kk = tf.randomNormal([B, H, T, hd]);
const FA = 2 * B * H * T * T * hd;
time('batched q kT (transB)', FA, () => tf.matMul(q, kk, false, true));
time('batched q (kT explicit)', FA, () => tf.matMul(q, tf.transpose(kk, [0, 1, 3, 2])));
time('transpose only', FA, () => tf.transpose(kk, [0, 1, 3, 2]));
time('per-head 2D loop', FA, () => {
  const qs = tf.unstack(tf.reshape(q, [B * H, T, hd])), ks = tf.unstack(tf.reshape(tf.transpose(kk, [0, 1, 3, 2]), [B * H, hd, T]));
  return tf.stack(qs.map((qq, i) => tf.matMul(qq as tf.Tensor2D, ks[i] as tf.Tensor2D)));
});
time('elementwise add 768x384', n*m, () => tf.add(dy, dy));
time('tanh 768x512', 768*512, () => tf.tanh(tf.randomNormal([768,512])));
time('randomNormal 768x512', 768*512, () => tf.randomNormal([768,512]));
