// Training throughput (tokens/s, full optimizer steps) per available backend for the default baseline and the 0.84M
// model at block 128 × batch 16, with peak RSS; beside PyTorch (1 thread) where /usr/bin/python3 has torch.
// Usage: npm run bench:train [-- --seconds 20 --backends wasm,cpu --models baseline,b128 --torch-threads 1]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
const here = fileURLToPath(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const baselineYaml = `${root}resources/configs/baseline.yaml`;
const torchScript = `${root}tools/reference/bench_torch.py`;
const PYTHON = '/usr/bin/python3';

interface ModelCase {
  key: string;
  label: string;
  block: number;
  batch: number;
}

const MODELS: readonly ModelCase[] = [
  { key: 'baseline', label: 'baseline 4L/4H/d128, block 64 × batch 12', block: 64, batch: 12 },
  { key: 'b128', label: '0.84M 4L/4H/d128, block 128 × batch 16', block: 128, batch: 16 },
];

interface Measurement {
  backend: string;
  model: string;
  params: number;
  steps: number;
  tokensPerS: number;
  /** Tokens per second of this process's CPU time: less sensitive to other load on a shared machine. */
  cpuTokensPerS: number;
  medianStepMs: number;
  minStepMs: number;
  maxStepMs: number;
  peakRssMb: number;
  reason?: string;
  error?: string;
}

/** Child mode: one backend × one model in a fresh process, so peak RSS and the wasm heap belong to it alone. */
async function measureOne(backendName: string, model: ModelCase, seconds: number): Promise<Measurement> {
  const { initBackend } = await import('../src/main/engine/backend.ts');
  const { resolveConfig } = await import('../src/shared/config.ts');
  const { Trainer } = await import('../src/main/engine/train.ts');
  const choice = await initBackend(backendName as 'wasm');
  const raw = parseYaml(readFileSync(baselineYaml, 'utf8')) as Record<string, Record<string, unknown>>;
  raw.model = { ...raw.model, block_size: model.block };
  raw.train = { ...raw.train, batch_size: model.batch };
  const resolved = resolveConfig(raw);
  if (!resolved.ok) throw new Error(`bad bench config: ${JSON.stringify(resolved.issues)}`);
  const trainer = new Trainer({ config: resolved.config, backend: choice.name });
  // The plain-JavaScript cpu backend takes many seconds a step: fewer warm-up and minimum steps there.
  const slow = choice.name === 'cpu';
  for (let i = 0; i < (slow ? 1 : 2); i++) trainer.trainStep();
  const times: number[] = [];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000 || times.length < (slow ? 2 : 3)) {
    const s = performance.now();
    trainer.trainStep();
    times.push(performance.now() - s);
  }
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  times.sort((a, b) => a - b);
  return {
    backend: choice.name,
    model: model.key,
    params: trainer.params,
    steps: times.length,
    tokensPerS: (trainer.tokensPerUpdate * times.length * 1000) / elapsed,
    cpuTokensPerS: (trainer.tokensPerUpdate * times.length * 1e6) / (cpu.user + cpu.system),
    medianStepMs: times[Math.floor(times.length / 2)]!,
    minStepMs: times[0]!,
    maxStepMs: times[times.length - 1]!,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    reason: choice.reason,
  };
}

function runChild(backendName: string, model: ModelCase, seconds: number): Measurement {
  const r = spawnSync(process.execPath, [...process.execArgv, here, '--child', backendName, '--models', model.key, '--seconds', String(seconds)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (r.status !== 0 || line == null) {
    const err = (r.stderr || r.stdout).split('\n').filter((l) => l.trim() !== '' && !/Vulkan|BackendVk/.test(l));
    return { backend: backendName, model: model.key, params: 0, steps: 0, tokensPerS: 0, cpuTokensPerS: 0, medianStepMs: 0, minStepMs: 0, maxStepMs: 0, peakRssMb: 0, error: err.slice(-3).join(' | ') };
  }
  return JSON.parse(line) as Measurement;
}

interface TorchResult {
  model: string;
  tokens_per_s: number;
  cpu_tokens_per_s: number;
  median_step_ms: number;
  peak_rss_mb: number;
  threads: number;
  torch: string;
}

function torchAvailable(): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
}

function runTorch(models: readonly ModelCase[], seconds: number, threads: number): Map<string, TorchResult> {
  const args = [torchScript, '--seconds', String(seconds), '--threads', String(threads)];
  for (const m of models) args.push('--model', `4,4,128,${m.block},${m.batch}`);
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) } });
  const out = new Map<string, TorchResult>();
  if (r.status !== 0) {
    console.log(`PyTorch reference failed: ${(r.stderr || '').trim().split('\n').pop() ?? ''}`);
    return out;
  }
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{'));
  lines.forEach((l, i) => out.set(models[i]!.key, JSON.parse(l) as TorchResult));
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      seconds: { type: 'string', default: '15' },
      backends: { type: 'string' },
      models: { type: 'string', default: MODELS.map((m) => m.key).join(',') },
      'torch-threads': { type: 'string', default: '1' },
      'no-torch': { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds);
  const models = values.models!.split(',').map((k) => {
    const m = MODELS.find((c) => c.key === k);
    if (m == null) throw new Error(`--models: unknown model "${k}" (known: ${MODELS.map((c) => c.key).join(', ')})`);
    return m;
  });
  if (values.child != null) {
    console.log(JSON.stringify(await measureOne(values.child, models[0]!, seconds)));
    return;
  }

  const { probeBackends } = await import('../src/main/engine/backend.ts');
  const probes = await probeBackends();
  const requested = values.backends?.split(',');
  const backends = probes.filter((p) => p.available && (requested == null || requested.includes(p.name))).map((p) => p.name);
  console.log('Backends:');
  for (const p of probes) console.log(`  ${p.name.padEnd(10)} ${p.available ? 'yes' : 'no '}  ${p.detail}`);
  console.log(`Each measurement: a fresh process, 2 warm-up steps (cpu: 1), then full optimizer steps for ≥ ${seconds} s (cpu: ≥ 2 steps).\n`);

  const threads = Number(values['torch-threads']);
  const withTorch = !values['no-torch'] && torchAvailable();
  if (!withTorch) {
    console.log(values['no-torch'] ? 'PyTorch reference skipped (--no-torch).\n' : `PyTorch reference skipped: ${PYTHON} has no torch (apt-get install python3-torch).\n`);
  } else {
    console.log(`PyTorch reference: ${PYTHON}, ${threads} thread(s), same model and full step (AdamW, clip), run right after Loupe on each model.\n`);
  }

  // Model by model, Loupe then PyTorch back to back: on a shared machine the load drifts, and the ratio should
  // compare runs made under the same conditions. CPU-time figures are the steadier ones there.
  const summary: string[] = [];
  for (const m of models) {
    console.log(m.label);
    const results: Measurement[] = [];
    for (const b of backends) {
      const r = runChild(b, m, seconds);
      results.push(r);
      const what = r.error != null ? `failed: ${r.error}` : `${r.tokensPerS.toFixed(0).padStart(6)} tok/s (per CPU-s ${r.cpuTokensPerS.toFixed(0)})  step ${r.medianStepMs.toFixed(0)} ms (min ${r.minStepMs.toFixed(0)}, max ${r.maxStepMs.toFixed(0)}, ${r.steps} steps)  peak RSS ${r.peakRssMb.toFixed(0)} MB`;
      console.log(`  ${b.padEnd(6)} ${what}`);
    }
    if (!withTorch) continue;
    const t = runTorch([m], seconds, threads).get(m.key);
    if (t == null) continue;
    console.log(`  torch  ${t.tokens_per_s.toFixed(0).padStart(6)} tok/s (per CPU-s ${t.cpu_tokens_per_s.toFixed(0)})  step ${t.median_step_ms.toFixed(0)} ms  peak RSS ${t.peak_rss_mb.toFixed(0)} MB  (torch ${t.torch})`);
    for (const r of results.filter((x) => x.error == null)) {
      const wall = r.tokensPerS / t.tokens_per_s;
      const cpu = r.cpuTokensPerS / t.cpu_tokens_per_s;
      const line = `${r.backend} / torch = ${wall.toFixed(3)}× (wall clock), ${cpu.toFixed(3)}× (per CPU-second)`;
      console.log(`  ${line}`);
      summary.push(`${m.key.padEnd(9)} ${line}`);
    }
  }
  if (summary.length > 0) console.log(`\nRatios (target ≥ 0.2× on a single wasm worker):\n${summary.map((l) => `  ${l}`).join('\n')}`);
}

await main();
