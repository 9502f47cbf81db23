const { initBackend } = await import('../src/main/engine/backend.ts');
const { tf } = await import('../src/main/engine/tf.ts');
await initBackend('wasm');
const x = tf.randomNormal([768, 256]);
const col = tf.max(x, -1, true), row = tf.randomNormal([256]);
function time(name: string, f: () => void, reps = 60) { for (let i = 0; i < 2; i++) f(); const t0 = performance.now(); for (let i = 0; i < reps; i++) f(); console.log(name.padEnd(24), (((performance.now() - t0) / reps) * 1000).toFixed(0), 'us'); }
for (const [n, op] of [['add', tf.add], ['sub', tf.sub], ['mul', tf.mul], ['div', tf.div], ['equal', tf.equal], ['greater', tf.greater], ['maximum', tf.maximum], ['squaredDifference', tf.squaredDifference]] as const) {
  time(`${n} col`, () => tf.tidy(() => { (op as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(x, col); }));
  time(`${n} row`, () => tf.tidy(() => { (op as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(x, row); }));
  time(`${n} same`, () => tf.tidy(() => { (op as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(x, x); }));
}
