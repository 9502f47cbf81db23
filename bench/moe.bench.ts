// The mixture-of-experts MLP on wasm: forward + backward of one block's expert mix at the baseline's shapes, in both
// of its forms (every expert on every token weighed by the top-k gates, the reference; each expert on its own
// tokens, gathered, the wasm choice), and the full training step's tokens/s, dense model against MoE. Prints only.
// Usage: npx tsx bench/moe.bench.ts [--cpu] [--T 64 --B 12 --experts 4 --top-k 2 --seconds 10]
import { parseArgs } from 'node:util';
import { initBackend } from '../src/main/engine/backend.ts';
import { tf } from '../src/main/engine/tf.ts';
import { linear } from '../src/main/engine/ops.ts';
import { swiglu } from '../src/main/engine/llama-ops.ts';
import { moeMixOp, type Experts } from '../src/main/engine/model/moe.ts';
import { swigluHidden } from '../src/shared/models/llama.ts';
import { RunConfig } from '../src/shared/config.ts';
import { Trainer } from '../src/main/engine/train.ts';
import { tinyText } from '../src/main/engine/testing/tiny.ts';

const { values } = parseArgs({
  options: {
    cpu: { type: 'boolean', default: false },
    T: { type: 'string', default: '64' },
    B: { type: 'string', default: '12' },
    experts: { type: 'string', default: '4' },
    'top-k': { type: 'string', default: '2' },
    seconds: { type: 'string', default: '10' },
  },
});
const T = Number(values.T);
const B = Number(values.B);
const E = Number(values.experts);
const K = Number(values['top-k']);
const D = 128;
const H = swigluHidden(D);
const N = B * T;

function time(label: string, fn: () => tf.Scalar, vars: tf.Variable[], seconds: number): number {
  for (let i = 0; i < 3; i++) tf.tidy(() => void tf.variableGrads(fn, vars));
  const times: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000 || times.length < 5) {
    const s = performance.now();
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(fn, vars);
      value.dataSync();
      for (const g of Object.values(grads)) g.dataSync();
    });
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(`  ${label.padEnd(38)} ${median.toFixed(1).padStart(7)} ms  (min ${times[0]!.toFixed(1)}, ${times.length} runs)`);
  return median;
}

function tokensPerS(moe: boolean, seconds: number): { tps: number; params: number } {
  const config = RunConfig.parse({
    data: { tokenizer: 'char' },
    model: { family: 'llama', n_layer: 4, n_head: 4, d_model: D, block_size: T, ...(moe ? { moe: { experts: E, top_k: K } } : {}) },
    train: { steps: 1000, batch_size: B, micro_batch_size: B },
  });
  const t = new Trainer({ config, backend: tf.getBackend(), text: tinyText(200_000) });
  for (let i = 0; i < 2; i++) t.trainStep();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000 || n < 3) {
    t.trainStep();
    n++;
  }
  const tps = (n * B * T * 1000) / (performance.now() - t0);
  const params = t.params;
  t.dispose();
  return { tps, params };
}

async function main(): Promise<void> {
  const choice = await initBackend(values.cpu ? 'cpu' : 'wasm');
  const seconds = Number(values.seconds);
  console.log(`MoE MLP, ${choice.name}: ${N} tokens × d ${D}, SwiGLU hidden ${H}, ${E} experts, top-${K}; forward + backward, median`);
  const normal = (shape: [number, number], std: number, seed: number): tf.Variable<tf.Rank.R2> => tf.variable(tf.randomNormal<tf.Rank.R2>(shape, 0, std, 'float32', seed));
  const h = tf.randomNormal<tf.Rank.R2>([N, D], 0, 1, 'float32', 1);
  const router = normal([D, E], 0.5, 2);
  const gates = Array.from({ length: E }, (_, e) => normal([D, H], 0.02, 10 + e));
  const ups = Array.from({ length: E }, (_, e) => normal([D, H], 0.02, 20 + e));
  const downs = Array.from({ length: E }, (_, e) => normal([H, D], 0.02, 30 + e));
  const vars = [router, ...gates, ...ups, ...downs];
  const experts: Experts = {
    count: E,
    hidden: (e, x) => swiglu(linear(x, gates[e]!), linear(x, ups[e]!)),
    hiddenAll: (x) => swiglu(linear(x, tf.concat(gates, 1)), linear(x, tf.concat(ups, 1))),
    down: downs,
  };
  const dense = (): tf.Tensor2D => moeMixOp.reference(h, linear(h, router), K, experts);
  const gathered = (): tf.Tensor2D => moeMixOp.fast.wasm!(h, linear(h, router), K, experts);
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(dense(), gathered()))).dataSync()[0]!);
  console.log(`  the two forms differ by at most ${diff.toExponential(2)}`);
  const loss = (y: () => tf.Tensor2D) => (): tf.Scalar => tf.mean(tf.square(y()));
  const a = time('every expert, gate-masked', loss(dense), vars, seconds);
  const b = time('each expert on its tokens (gathered)', loss(gathered), vars, seconds);
  const one = time('one dense SwiGLU MLP (for scale)', loss(() => linear(swiglu(linear(h, gates[0]!), linear(h, ups[0]!)), downs[0]!)), [gates[0]!, ups[0]!, downs[0]!], seconds);
  console.log(`  gate-masked / gathered: ${(a / b).toFixed(2)}×; gathered / one MLP: ${(b / one).toFixed(2)}×`);
  console.log(`Training step, llama 4L/4H/d${D}, block ${T} × batch ${B}:`);
  for (const moe of [false, true]) {
    const r = tokensPerS(moe, seconds);
    console.log(`  ${moe ? `MoE ${E} experts top-${K}` : 'dense'}`.padEnd(40) + `${Math.round(r.tps)} tokens/s  (${r.params} parameters)`);
  }
}

void main();
