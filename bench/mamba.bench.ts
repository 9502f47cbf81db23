// Mamba against GPT on wasm: training tokens/s of the baseline GPT (4L/d128, block 64 × batch 12, byte Moby-Dick)
// beside a Mamba and a hybrid of about the same parameter count, and the time of the selective scan alone, fused
// (wasm) and chunked at several chunk sizes (the TF.js formulation other backends run), forward and backward.
// Usage: npx tsx bench/mamba.bench.ts [--seconds 15 --block 64 --batch 12 --scan-only]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { initBackend } from '../src/main/engine/backend.ts';
import { tf } from '../src/main/engine/tf.ts';
import { Trainer } from '../src/main/engine/train.ts';
import { resolveConfig } from '../src/shared/config.ts';
import { chunkedScan, selectiveScan } from '../src/main/engine/model/selective-scan.ts';
import { Rng } from '../src/main/engine/rng.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const baselineYaml = `${root}resources/configs/baseline.yaml`;

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    block: { type: 'string', default: '64' },
    batch: { type: 'string', default: '12' },
    'scan-only': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const block = Number(values.block);
const batch = Number(values.batch);

/** GPT's 4 blocks of d 128 hold ~198k parameters each, a Mamba block ~117k: 7 Mamba blocks match 4 GPT ones within 2%. */
const MODELS: { label: string; model: Record<string, unknown> }[] = [
  { label: 'gpt 4L d128', model: { family: 'gpt', n_layer: 4 } },
  { label: 'mamba 7L d128', model: { family: 'mamba', n_layer: 7, bias: null } },
  { label: 'hybrid MMMAA d128', model: { family: 'hybrid', n_layer: 5, layers: 'MMMAA', bias: null } },
];

function trainerFor(model: Record<string, unknown>): Trainer {
  const raw = parseYaml(readFileSync(baselineYaml, 'utf8')) as Record<string, Record<string, unknown>>;
  raw.model = { ...raw.model, block_size: block, ...model };
  raw.train = { ...raw.train, batch_size: batch };
  const resolved = resolveConfig(raw);
  if (!resolved.ok) throw new Error(`bad bench config: ${JSON.stringify(resolved.issues)}`);
  return new Trainer({ config: resolved.config, backend: tf.getBackend() });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Median ms of `f` over at least `reps` runs and `secs` seconds, after one warm-up: wall time, and this process's
 * CPU time, which a machine shared with other work disturbs less.
 */
function timeIt(f: () => void, reps: number, secs: number): { wall: number; cpu: number } {
  f();
  const wall: number[] = [];
  const cpu: number[] = [];
  const t0 = performance.now();
  while (wall.length < reps || performance.now() - t0 < secs * 1000) {
    const s = performance.now();
    const c = process.cpuUsage();
    f();
    const used = process.cpuUsage(c);
    wall.push(performance.now() - s);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

function trainingRates(): void {
  console.log(`training on ${tf.getBackend()}, block ${block} × batch ${batch}, ${seconds} s each`);
  let gptRate = 0;
  for (const m of MODELS) {
    const t = trainerFor(m.model);
    const ms = timeIt(() => t.trainStep(), 3, seconds);
    const rate = (t.tokensPerUpdate * 1000) / ms.wall;
    const cpuRate = (t.tokensPerUpdate * 1000) / ms.cpu;
    if (m.model.family === 'gpt') gptRate = cpuRate;
    console.log(
      `${m.label.padEnd(20)} ${String(t.params).padStart(8)} params  ${ms.wall.toFixed(0).padStart(6)} ms/step  ${rate.toFixed(0).padStart(6)} tok/s  ` +
        `${cpuRate.toFixed(0).padStart(6)} tok/s of CPU time  ${(cpuRate / gptRate).toFixed(2)}× gpt`,
    );
    t.dispose();
  }
}

type Scan = (u: tf.Tensor3D, d: tf.Tensor3D, A: tf.Tensor2D, B: tf.Tensor3D, C: tf.Tensor3D) => tf.Tensor3D;

/** The scan alone at the models' d_inner 256 and N 16 for 2 sequences, forward and backward. */
async function scanTimes(): Promise<void> {
  const [B, T, I, N] = [2, block, 256, 16];
  const rng = new Rng(1);
  const u = tf.tensor3d(rng.normalArray(B * T * I, 1), [B, T, I]);
  const delta = tf.tensor3d(Float32Array.from({ length: B * T * I }, () => Math.log1p(Math.exp(rng.normal() - 3))), [B, T, I]);
  const A = tf.tensor2d(Float32Array.from({ length: I * N }, (_, k) => -((k % N) + 1)), [I, N]);
  const Bm = tf.tensor3d(rng.normalArray(B * T * N, 1), [B, T, N]);
  const Cm = tf.tensor3d(rng.normalArray(B * T * N, 1), [B, T, N]);
  const fwdBwd = (scan: Scan) => (): void => {
    tf.tidy(() => {
      const loss = (...a: tf.Tensor[]): tf.Scalar => tf.sum(scan(...(a as [tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor3D, tf.Tensor3D])));
      for (const g of tf.grads(loss)([u, delta, A, Bm, Cm])) g.dataSync();
    });
  };
  console.log(`\nselective scan, forward + backward, [${B}, ${T}, ${I}] × N ${N}:`);
  const show = (label: string, ms: { wall: number; cpu: number } | null): void =>
    console.log(`  ${label.padEnd(20)} ${ms ? `${ms.cpu.toFixed(1).padStart(8)} ms CPU` : '   skipped: its [chunk, chunk] tables would hold over 32M floats each'}`);
  for (const backend of ['wasm', 'cpu'] as const) {
    await initBackend(backend);
    if (backend === 'wasm') show('wasm fused kernel', timeIt(fwdBwd(selectiveScan), 3, 3));
    for (const L of [4, 8, 16, 32, 64]) {
      // The chunked form's pairwise tables hold B·T·L·I·N floats each, several alive at once.
      const fits = B * T * L * I * N <= 32e6;
      show(`${backend} chunked, L ${L}`, fits ? timeIt(fwdBwd((...a) => chunkedScan(...a, null, L).y), 2, 3) : null);
    }
  }
}

await initBackend('wasm');
if (!values['scan-only']) trainingRates();
await scanTimes();
