// GPU training throughput: lists the adapters and backends found, then on each usable GPU backend (tensorflow with
// CUDA, WebGPU on a hardware adapter) trains the default baseline and a ~10M-parameter model for a fixed number of
// steps, printing tokens/s, peak tensor memory and val loss beside wasm's on the same model, weights and batches.
// Software adapters (SwiftShader) are skipped unless --include-software, which then runs a tiny model for 2 steps.
// Usage: npm run bench:gpu [-- --steps 20 --models baseline,10m --include-software --json]
//        node dist/bench-gpu.js [same flags]      (from `npm run bundle`)
import { parseArgs } from 'node:util';
import { tf } from '../src/main/engine/tf.ts';
import { initBackend, probeBackends, type BackendProbe } from '../src/main/engine/backend.ts';
import { Trainer, readLag, type PendingStep } from '../src/main/engine/train.ts';
import { resolveWithOverrides, readBaselineConfig } from '../src/main/services/config-input.ts';
import type { RunConfig } from '../src/shared/config.ts';

interface ModelCase {
  key: string;
  label: string;
  /** Changes to the baseline recipe. */
  model: Partial<RunConfig['model']>;
  batch?: number;
}

const MODELS: readonly ModelCase[] = [
  { key: 'baseline', label: 'baseline 4L/4H/d128, block 64 × batch 12', model: {} },
  { key: '10m', label: '~10M 6L/6H/d384, block 256 × batch 12', model: { n_layer: 6, n_head: 6, d_model: 384, block_size: 256 } },
  { key: 'tiny', label: 'tiny 2L/2H/d32, block 16 × batch 4 (software adapters)', model: { n_layer: 2, n_head: 2, d_model: 32, block_size: 16 }, batch: 4 },
];

const { values: flags } = parseArgs({
  options: {
    steps: { type: 'string' },
    models: { type: 'string' },
    'include-software': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  process.stdout.write('usage: bench:gpu [--steps N] [--models baseline,10m,tiny] [--include-software] [--json]\n');
  process.exit(0);
}
const includeSoftware = flags['include-software'];
const steps = Number(flags.steps ?? (includeSoftware ? 2 : 20));
if (!Number.isInteger(steps) || steps < 1) {
  process.stderr.write('bench:gpu: --steps must be an integer ≥ 1\n');
  process.exit(2);
}
const modelKeys = (flags.models ?? (includeSoftware ? 'tiny' : 'baseline,10m')).split(',');
const unknown = modelKeys.filter((k) => !MODELS.some((m) => m.key === k));
if (unknown.length > 0) {
  process.stderr.write(`bench:gpu: unknown model ${unknown.join(', ')} (baseline, 10m, tiny)\n`);
  process.exit(2);
}
const models = MODELS.filter((m) => modelKeys.includes(m.key));

interface Measurement {
  model: string;
  backend: string;
  adapter: string;
  params: number;
  steps: number;
  tokensPerS: number;
  peakMiB: number;
  valLoss: number;
  /** This backend's tokens/s over wasm's on the same model. */
  vsWasm: number | null;
}

function configFor(m: ModelCase, backend: string): RunConfig {
  const base = resolveWithOverrides(readBaselineConfig(), { steps: steps + 2 });
  const raw = {
    ...base,
    backend,
    model: { ...base.model, ...m.model },
    train: { ...base.train, batch_size: m.batch ?? base.train.batch_size, warmup_steps: 1 },
    eval: { ...base.eval, batches: 4 },
  };
  return resolveWithOverrides(raw);
}

/** One step however the backend runs best: queued and read asynchronously on GPU backends, synchronously elsewhere. */
async function oneStep(t: Trainer): Promise<void> {
  if (readLag(t.backend) === 0) t.trainStep();
  else await t.settle(t.enqueueStep());
}

async function measure(m: ModelCase, backend: 'tensorflow' | 'webgpu' | 'wasm'): Promise<Omit<Measurement, 'vsWasm'>> {
  const choice = await initBackend(backend);
  const trainer = new Trainer({ config: configFor(m, backend), backend: choice.name });
  try {
    // The first step compiles shaders (or packs weights): outside the timing.
    await oneStep(trainer);
    const lag = readLag(trainer.backend);
    const t0 = performance.now();
    if (lag === 0) for (let i = 0; i < steps; i++) trainer.trainStep();
    else {
      const queue: PendingStep[] = [];
      for (let i = 0; i < steps; i++) {
        queue.push(trainer.enqueueStep());
        if (queue.length > lag) await trainer.settle(queue.shift()!);
      }
      while (queue.length > 0) await trainer.settle(queue.shift()!);
    }
    const seconds = (performance.now() - t0) / 1000;
    // Peak bytes of all live tensors during one more step: weights, optimizer state, activations and gradients.
    const profile = await tf.profile(() => oneStep(trainer));
    const valLoss = await trainer.evaluateAsync();
    return {
      model: m.key,
      backend: choice.name,
      adapter: choice.reason,
      params: trainer.params,
      steps,
      tokensPerS: (steps * trainer.tokensPerUpdate) / seconds,
      peakMiB: profile.peakBytes / 1024 ** 2,
      valLoss,
    };
  } finally {
    trainer.dispose();
  }
}

const probes = await probeBackends();
const lines: string[] = ['backends found:'];
for (const p of probes) lines.push(`  ${p.name.padEnd(10)} ${p.available ? 'available  ' : 'unavailable'} ${p.detail}`);
if (!flags.json) process.stdout.write(`${lines.join('\n')}\n`);

const software = (p: BackendProbe): boolean => /software adapter/.test(p.adapter ?? '');
const gpuBackends: ('tensorflow' | 'webgpu')[] = [];
const skipped: string[] = [];
for (const p of probes) {
  if (!p.available) continue;
  if (p.name === 'tensorflow') {
    if (/CUDA/.test(p.detail)) gpuBackends.push('tensorflow');
    else skipped.push('tensorflow: libtensorflow on the CPU, not a GPU');
  }
  if (p.name === 'webgpu') {
    if (!software(p) || includeSoftware) gpuBackends.push('webgpu');
    else skipped.push(`webgpu: ${p.adapter} (--include-software runs it, with tiny steps)`);
  }
}
if (!flags.json) {
  for (const s of skipped) process.stdout.write(`skipped ${s}\n`);
  if (gpuBackends.length === 0) process.stdout.write('no usable GPU backend here: measuring wasm alone\n');
}

const results: Measurement[] = [];
for (const m of models) {
  const wasm = await measure(m, 'wasm');
  results.push({ ...wasm, vsWasm: 1 });
  for (const b of gpuBackends) {
    try {
      const r = await measure(m, b);
      results.push({ ...r, vsWasm: r.tokensPerS / wasm.tokensPerS });
    } catch (e) {
      process.stderr.write(`bench:gpu: ${b} on ${m.key} failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
    }
  }
}

if (flags.json) {
  process.stdout.write(`${JSON.stringify({ backends: probes, skipped, steps, results }, null, 2)}\n`);
} else {
  process.stdout.write(`\n${steps} timed steps per run (after one untimed), same weights and batches on every backend:\n`);
  process.stdout.write(`${'model'.padEnd(10)}${'backend'.padEnd(12)}${'params'.padStart(12)}${'tokens/s'.padStart(12)}${'× wasm'.padStart(9)}${'peak MiB'.padStart(10)}${'val loss'.padStart(10)}\n`);
  for (const r of results) {
    process.stdout.write(
      `${r.model.padEnd(10)}${r.backend.padEnd(12)}${String(r.params).padStart(12)}${r.tokensPerS.toFixed(0).padStart(12)}${(r.vsWasm ?? 0).toFixed(2).padStart(9)}${r.peakMiB.toFixed(1).padStart(10)}${r.valLoss.toFixed(4).padStart(10)}\n`,
    );
  }
  for (const m of models) process.stdout.write(`  ${m.key}: ${m.label}\n`);
}
process.exit(0);
