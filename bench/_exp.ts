const { initBackend } = await import('../src/main/engine/backend.ts');
const { tf } = await import('../src/main/engine/tf.ts');
await initBackend('wasm');
const x = tf.randomNormal([768, 256]);
const mx = tf.max(x, -1, true);
const xs = x.dataSync() as Float32Array; const out = new Float32Array(xs.length);
function time(name: string, f: () => void, reps = 30) { for (let i = 0; i < 3; i++) f(); const t0 = performance.now(); for (let i = 0; i < reps; i++) f(); console.log(name.padEnd(20), (((performance.now() - t0) / reps) * 1000).toFixed(0), 'us'); }
for (let r = 0; r < 2; r++) {
time('tf.exp', () => tf.tidy(() => { tf.exp(x); }));
time('js Math.exp', () => { for (let i = 0; i < xs.length; i++) out[i] = Math.exp(xs[i]!); });
time('tf.equal bcast', () => tf.tidy(() => { tf.equal(x, mx); }));
time('tf.softmax', () => tf.tidy(() => { tf.softmax(x); }));
time('tf.max', () => tf.tidy(() => { tf.max(x, -1, true); }));
time('tf.log', () => tf.tidy(() => { tf.log(x); }));
}
