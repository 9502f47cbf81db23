// Micro-benchmark of the hot-path ops (forward + backward) at the baseline's shapes: ours (fused kernels on wasm) against
// the textbook TF.js formulation they replace, on wasm (and cpu with --cpu). Usage: npx tsx bench/ops.bench.ts [--cpu] [--T 128 --B 16]
import { parseArgs } from 'node:util';
import { initBackend } from '../src/main/engine/backend.ts';
import { tf } from '../src/main/engine/tf.ts';
import { causalSelfAttention, gelu, layerNorm, linear, logSumExp } from '../src/main/engine/ops.ts';
import { crossEntropy } from '../src/main/engine/model/loss.ts';

const { values } = parseArgs({
  options: { cpu: { type: 'boolean', default: false }, T: { type: 'string', default: '64' }, B: { type: 'string', default: '12' } },
});
const T = Number(values.T);
const B = Number(values.B);
const D = 128;
const H = 4;
const N = B * T;

type Fn = (...xs: tf.Tensor[]) => tf.Tensor;

/** Fixed next-token targets for the loss (made inside the timed scope, as the trainer does). */
const targets = (): tf.Tensor1D => tf.tensor1d(Int32Array.from({ length: N }, (_, i) => (i * 37) % 256), 'int32');

const textbook: Record<string, Fn> = {
  linear: (x, w, b) => tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b!),
  attention: (qkv) => {
    const [q, k, v] = tf.split(qkv!, 3, 1).map((t) => tf.transpose(tf.reshape(t, [B, T, H, D / H]), [0, 2, 1, 3]));
    const scores = tf.mul(tf.matMul(q!, k!, false, true), 1 / Math.sqrt(D / H));
    const mask = tf.linalg.bandPart(tf.ones([T, T]), -1, 0);
    const y = tf.matMul(tf.softmax(tf.add(scores, tf.mul(tf.sub(1, mask), -1e9))), v!);
    return tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [N, D]);
  },
  gelu: (x) => tf.mul(tf.mul(0.5, x!), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x!, tf.mul(0.044715, tf.pow(x!, 3))))))),
  layerNorm: (x, g, b) => {
    const { mean, variance } = tf.moments(x!, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x!, mean), tf.rsqrt(tf.add(variance, 1e-5))), g!), b!);
  },
  logSumExp: (x) => tf.logSumExp(x!, -1, true),
  crossEntropy: (x) => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(x!), tf.oneHot(targets(), 256)), -1))),
};

const ours: Record<string, Fn> = {
  linear: (x, w, b) => linear(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D),
  attention: (qkv) => causalSelfAttention(qkv as tf.Tensor2D, B, H),
  gelu: (x) => gelu(x!),
  layerNorm: (x, g, b) => layerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D),
  logSumExp: (x) => logSumExp(x as tf.Tensor2D),
  crossEntropy: (x) => crossEntropy(x as tf.Tensor2D, targets()),
};

const shapes: Record<string, number[][]> = {
  linear: [[N, D], [D, 4 * D], [4 * D]],
  attention: [[N, 3 * D]],
  gelu: [[N, 4 * D]],
  layerNorm: [[N, D], [D], [D]],
  logSumExp: [[N, 256]],
  crossEntropy: [[N, 256]],
};

/** Median ms of forward + backward (gradients of sum(f) w.r.t. every input), read back to the host. */
function timeIt(f: Fn, inputs: tf.Tensor[], reps: number): number {
  const once = () =>
    tf.tidy(() => {
      const gs = tf.grads((...xs: tf.Tensor[]) => tf.sum(f(...xs)))(inputs);
      gs.forEach((g) => g.dataSync());
    });
  for (let i = 0; i < 3; i++) once();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    once();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
}

for (const backend of values.cpu ? (['wasm', 'cpu'] as const) : (['wasm'] as const)) {
  await initBackend(backend);
  console.log(`\n${backend}: forward + backward, median of ${backend === 'cpu' ? 5 : 20} (B ${B}, T ${T}, d ${D}, ${H} heads)`);
  for (const name of Object.keys(ours)) {
    const inputs = shapes[name]!.map((s, i) => tf.randomNormal(s, 0, name === 'linear' && i === 1 ? 0.05 : 1, 'float32', i + 1));
    const reps = backend === 'cpu' ? 5 : 20;
    const ref = timeIt(textbook[name]!, inputs, reps);
    const fast = timeIt(ours[name]!, inputs, reps);
    console.log(`  ${name.padEnd(12)} textbook ${ref.toFixed(2).padStart(8)} ms   ours ${fast.toFixed(2).padStart(8)} ms   ${(ref / fast).toFixed(1).padStart(5)}×`);
    tf.dispose(inputs);
  }
}
