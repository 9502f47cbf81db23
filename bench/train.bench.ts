// Training throughput (full optimizer steps on Moby-Dick) of Loupe with 1 worker and with N data-parallel workers,
// beside PyTorch at 1 and 2 threads, on the default baseline and on a ~10M model: tokens/s, tokens per CPU-second,
// peak RSS and the ratios. Each row runs in a fresh process, one after another (short by default; --long for steadier).
// Usage: npm run bench:train [-- --seconds 8 | --long] [--models baseline,10m] [--backends wasm] [--workers N] [--no-torch]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
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
  layers: number;
  heads: number;
  d: number;
  block: number;
  batch: number;
}

const MODELS: readonly ModelCase[] = [
  { key: 'baseline', label: 'default baseline: 4L/4H/d128, block 64 × batch 12 (0.8M)', layers: 4, heads: 4, d: 128, block: 64, batch: 12 },
  { key: '10m', label: '10M: 6L/6H/d384, block 256 × batch 8', layers: 6, heads: 6, d: 384, block: 256, batch: 8 },
];

interface Row {
  run: string;
  params: number;
  steps: number;
  tokensPerS: number;
  /** Tokens per second of this process's CPU time (all its threads): less sensitive to other load on a shared machine. */
  cpuTokensPerS: number;
  medianStepMs: number;
  peakRssMb: number;
  error?: string;
}

/** Child mode: one backend × worker count × model in a fresh process, so peak RSS and the wasm heaps belong to it. */
async function measureLoupe(backendName: string, workers: number, model: ModelCase, seconds: number): Promise<Row> {
  const { initBackend } = await import('../src/main/engine/backend.ts');
  const { resolveConfig } = await import('../src/shared/config.ts');
  const { Trainer } = await import('../src/main/engine/train.ts');
  const { ParallelGroup } = await import('../src/main/engine/parallel/group.ts');
  const choice = await initBackend(backendName as 'wasm');
  const raw = parseYaml(readFileSync(baselineYaml, 'utf8')) as Record<string, Record<string, unknown>>;
  raw.model = { ...raw.model, n_layer: model.layers, n_head: model.heads, d_model: model.d, block_size: model.block };
  raw.train = { ...raw.train, batch_size: model.batch, workers };
  const resolved = resolveConfig(raw);
  if (!resolved.ok) throw new Error(`bad bench config: ${JSON.stringify(resolved.issues)}`);
  const trainer = new Trainer({ config: resolved.config, backend: choice.name, ranks: workers });
  const group = workers > 1 ? await ParallelGroup.start(trainer, { ranks: workers, backend: choice.name }) : null;
  trainer.parallel = group;
  const step = (): Promise<unknown> => (group ? trainer.stepShared() : Promise.resolve(trainer.trainStep()));
  try {
    const slow = trainer.params > 5e6 || choice.name === 'cpu';
    for (let i = 0; i < (slow ? 1 : 2); i++) await step();
    const times: number[] = [];
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000 || times.length < (slow ? 2 : 5)) {
      const s = performance.now();
      await step();
      times.push(performance.now() - s);
    }
    const elapsed = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    times.sort((a, b) => a - b);
    return {
      run: `loupe ${choice.name} ×${workers}`,
      params: trainer.params,
      steps: times.length,
      tokensPerS: (trainer.tokensPerUpdate * times.length * 1000) / elapsed,
      cpuTokensPerS: (trainer.tokensPerUpdate * times.length * 1e6) / (cpu.user + cpu.system),
      medianStepMs: times[Math.floor(times.length / 2)]!,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    await group?.close();
    trainer.dispose();
  }
}

function failed(run: string, error: string): Row {
  return { run, params: 0, steps: 0, tokensPerS: 0, cpuTokensPerS: 0, medianStepMs: 0, peakRssMb: 0, error };
}

function runLoupe(backendName: string, workers: number, model: ModelCase, seconds: number): Row {
  const args = [...process.execArgv, here, '--child', backendName, '--workers', String(workers), '--models', model.key, '--seconds', String(seconds)];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (r.status !== 0 || line == null) {
    const err = (r.stderr || r.stdout).split('\n').filter((l) => l.trim() !== '' && !/Vulkan|BackendVk|^var Module/.test(l));
    return failed(`loupe ${backendName} ×${workers}`, err.slice(-3).join(' | ').slice(0, 300));
  }
  return JSON.parse(line) as Row;
}

interface TorchResult {
  params: number;
  steps: number;
  tokens_per_s: number;
  cpu_tokens_per_s: number;
  median_step_ms: number;
  peak_rss_mb: number;
  torch: string;
}

function torchAvailable(): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
}

function runTorch(model: ModelCase, seconds: number, threads: number): Row {
  const run = `torch ${threads} thread${threads > 1 ? 's' : ''}`;
  const args = [torchScript, '--seconds', String(seconds), '--threads', String(threads), '--model', `${model.layers},${model.heads},${model.d},${model.block},${model.batch}`];
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) } });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (r.status !== 0 || line == null) return failed(run, (r.stderr || '').trim().split('\n').pop() ?? 'failed');
  const t = JSON.parse(line) as TorchResult;
  return { run: `${run} (${t.torch})`, params: t.params, steps: t.steps, tokensPerS: t.tokens_per_s, cpuTokensPerS: t.cpu_tokens_per_s, medianStepMs: t.median_step_ms, peakRssMb: t.peak_rss_mb };
}

const load = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      seconds: { type: 'string' },
      long: { type: 'boolean', default: false },
      backends: { type: 'string', default: 'wasm' },
      workers: { type: 'string' },
      models: { type: 'string', default: MODELS.map((m) => m.key).join(',') },
      'no-torch': { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds ?? (values.long ? 30 : 6));
  const models = values.models!.split(',').map((k) => {
    const m = MODELS.find((c) => c.key === k);
    if (m == null) throw new Error(`--models: unknown model "${k}" (known: ${MODELS.map((c) => c.key).join(', ')})`);
    return m;
  });
  if (values.child != null) {
    console.log(JSON.stringify(await measureLoupe(values.child, Number(values.workers ?? 1), models[0]!, seconds)));
    return;
  }
  const { chooseWorkers } = await import('../src/main/engine/parallel/workers.ts');
  const { resolveConfig } = await import('../src/shared/config.ts');
  const raw = parseYaml(readFileSync(baselineYaml, 'utf8')) as Record<string, unknown>;
  const resolved = resolveConfig(raw);
  if (!resolved.ok) throw new Error('bad baseline config');
  const backends = values.backends!.split(',');
  const withTorch = !values['no-torch'] && torchAvailable();
  console.log(`${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}); load average ${load()} at the start.`);
  console.log(`Each row: a fresh process, warm-up step(s), then full optimizer steps (forward, backward, clip, AdamW) for ≥ ${seconds} s.`);
  if (!withTorch) console.log(values['no-torch'] ? 'PyTorch skipped (--no-torch).' : `PyTorch skipped: ${PYTHON} has no torch (apt-get install python3-torch).`);

  const summary: string[] = [];
  for (const m of models) {
    console.log(`\n${m.label}`);
    console.log(`  ${'run'.padEnd(26)} ${'tok/s'.padStart(7)} ${'tok/CPU-s'.padStart(9)} ${'step ms'.padStart(8)} ${'steps'.padStart(5)} ${'peak RSS'.padStart(9)}`);
    const rows: Row[] = [];
    const print = (r: Row): void => {
      rows.push(r);
      if (r.error != null) console.log(`  ${r.run.padEnd(26)} failed: ${r.error}`);
      else console.log(`  ${r.run.padEnd(26)} ${r.tokensPerS.toFixed(0).padStart(7)} ${r.cpuTokensPerS.toFixed(0).padStart(9)} ${r.medianStepMs.toFixed(0).padStart(8)} ${String(r.steps).padStart(5)} ${`${r.peakRssMb.toFixed(0)} MB`.padStart(9)}`);
    };
    const n = values.workers != null ? Number(values.workers) : chooseWorkers({ ...resolved.config, train: { ...resolved.config.train, batch_size: m.batch } }, 'wasm', 256).workers;
    for (const b of backends) {
      print(runLoupe(b, 1, m, seconds));
      if (n > 1) print(runLoupe(b, n, m, seconds));
    }
    if (withTorch) for (const threads of [1, 2]) print(runTorch(m, seconds, threads));
    const torch = rows.filter((r) => r.run.startsWith('torch') && r.error == null);
    if (torch.length === 0) continue;
    const best = torch.reduce((a, b) => (b.tokensPerS > a.tokensPerS ? b : a));
    const bestCpu = torch.reduce((a, b) => (b.cpuTokensPerS > a.cpuTokensPerS ? b : a));
    const target = m.key === 'baseline' ? 0.8 : 0.6;
    for (const r of rows.filter((x) => x.run.startsWith('loupe') && x.error == null)) {
      const line = `${m.key.padEnd(8)} ${r.run.padEnd(16)} ${(r.tokensPerS / best.tokensPerS).toFixed(2)}× the faster torch row (${best.run.split(' (')[0]}), ${(r.cpuTokensPerS / bestCpu.cpuTokensPerS).toFixed(2)}× its tokens per CPU-second; target ≥ ${target}× with N workers`;
      summary.push(line);
    }
  }
  if (summary.length > 0) console.log(`\nRatios (wall clock; per CPU-second):\n${summary.map((l) => `  ${l}`).join('\n')}`);
  console.log(`\nLoad average ${load()} at the end (other work on the machine makes every figure lower and noisier).`);
}

await main();
