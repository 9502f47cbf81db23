const { initBackend } = await import('../src/main/engine/backend.ts');
const { tf } = await import('../src/main/engine/tf.ts');
const ops = await import(process.env.PLAIN ? '../src/main/engine/_ops_plain.ts' : '../src/main/engine/ops.ts');
const be = (process.argv[2] ?? 'wasm') as 'wasm';
const [L, H, D, T, B] = (process.argv[3] ?? '4,4,128,64,12').split(',').map(Number) as [number,number,number,number,number];
await initBackend(be);
const V = 256;
const rnd = (s: number[], std = 0.02) => tf.variable(tf.randomNormal(s, 0, std));
const P = {
  wte: rnd([V, D]), wpe: rnd([T, D]), lnfg: tf.variable(tf.ones([D])), lnfb: tf.variable(tf.zeros([D])),
  layers: Array.from({ length: L }, () => ({
    ln1g: tf.variable(tf.ones([D])), ln1b: tf.variable(tf.zeros([D])), ln2g: tf.variable(tf.ones([D])), ln2b: tf.variable(tf.zeros([D])),
    wqkv: rnd([D, 3 * D]), bqkv: tf.variable(tf.zeros([3 * D])), wo: rnd([D, D]), bo: tf.variable(tf.zeros([D])),
    wfc: rnd([D, 4 * D]), bfc: tf.variable(tf.zeros([4 * D])), wpr: rnd([4 * D, D]), bpr: tf.variable(tf.zeros([D])),
  })),
};
function ln(x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
}
function loss(idx: tf.Tensor2D, tgt: tf.Tensor2D): tf.Scalar {
  const n = B * T;
  let x = tf.add(tf.reshape(tf.gather(P.wte, tf.reshape(idx, [n])), [B, T, D]), P.wpe).reshape([n, D]) as tf.Tensor2D;
  for (const l of P.layers) {
    const h = ln(x, l.ln1g, l.ln1b);
    const qkv = ops.linear(h, l.wqkv, l.bqkv);
    const [q, k, v] = tf.split(qkv, 3, 1).map((t) => tf.transpose(tf.reshape(t, [B, T, H, D / H]), [0, 2, 1, 3]) as tf.Tensor4D);
    const a = tf.reshape(tf.transpose(ops.causalAttention(q!, k!, v!), [0, 2, 1, 3]), [n, D]) as tf.Tensor2D;
    x = tf.add(x, ops.linear(a, l.wo, l.bo));
    const h2 = ln(x, l.ln2g, l.ln2b);
    x = tf.add(x, ops.linear(ops.gelu(ops.linear(h2, l.wfc, l.bfc)) as tf.Tensor2D, l.wpr, l.bpr));
  }
  const logits = ops.linear(ln(x, P.lnfg, P.lnfb), tf.transpose(P.wte) as tf.Tensor2D);
  return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.reshape(tgt, [n]), V), logits) as tf.Scalar;
}
const idx = tf.randomUniform([B, T], 0, V, 'int32') as tf.Tensor2D;
const step = () => tf.tidy(() => { const { value, grads } = tf.variableGrads(() => loss(idx, idx)); void grads; return value.dataSync()[0]; });
for (let i = 0; i < 2; i++) console.log('loss', step());
const reps = Number(process.argv[4] ?? 5);
const t0 = performance.now(); const c0 = process.cpuUsage();
for (let i = 0; i < reps; i++) step();
const ms = (performance.now() - t0) / reps; const cu = process.cpuUsage(c0); const cms = (cu.user + cu.system) / 1000 / reps;
console.log(`${be} L${L} H${H} D${D} T${T} B${B}: ${ms.toFixed(1)} ms/step, ${(B * T / ms * 1000).toFixed(0)} tok/s, tensors ${tf.memory().numTensors}; cpu ${cms.toFixed(1)} ms/step ${(B * T / cms * 1000).toFixed(0)} tok/s`);
if (process.argv[5] === 'prof') {
  const prof = await tf.profile(() => { step(); });
  const agg = new Map<string, [number, number]>();
  for (const k of prof.kernels) { const key = k.name === 'BatchMatMul' ? (k.inputShapes[0]![0]! * (k.inputShapes[0]!.length === 3 ? 1 : 1) > 512 ? 'BMM-linear' : 'BMM-attn') : k.name; const a = agg.get(key) ?? [0, 0]; a[0] += k.kernelTimeMs as number; a[1]++; agg.set(key, a); }
  const rows = [...agg].sort((a, b) => b[1][0] - a[1][0]);
  let tot = 0; for (const [, [t]] of rows) tot += t;
  console.log('kernel total ms', tot.toFixed(1));
  for (const [n, [t, c]] of rows.slice(0, 25)) console.log(n.padEnd(24), t.toFixed(2).padStart(8), String(c).padStart(6));
}
