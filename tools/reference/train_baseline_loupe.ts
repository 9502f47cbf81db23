// Trains the default baseline (resources/configs/baseline.yaml) with Loupe's engine and
// prints val loss at each eval, for comparison with train_baseline.py (same bytes, split and val batches).
// With workers > 1 it trains data-parallel across that many worker threads (auto: as a run would choose).
// Usage: npx tsx tools/reference/train_baseline_loupe.ts [backend] [steps] [workers|auto]
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { resolveConfig, formatConfigIssues } from '../../src/shared/config.ts';
import { initBackend } from '../../src/main/engine/backend.ts';
import { Trainer, runTraining } from '../../src/main/engine/train.ts';
import { chooseWorkers } from '../../src/main/engine/parallel/workers.ts';
import { ParallelGroup } from '../../src/main/engine/parallel/group.ts';

const [backendArg = 'wasm', stepsArg, workersArg = '1'] = process.argv.slice(2);
const raw = parse(readFileSync(new URL('../../resources/configs/baseline.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;
const resolved = resolveConfig({ ...raw, backend: backendArg });
if (!resolved.ok) throw new Error(formatConfigIssues(resolved.issues));
const config = resolved.config;
if (stepsArg) config.train.steps = Number(stepsArg);

if (workersArg !== 'auto') config.train.workers = Number(workersArg);

const backend = await initBackend(config.backend);
const workers = chooseWorkers(config, backend.name, 256).workers;
const trainer = new Trainer({ config, backend: backend.name, ranks: workers });
const group = workers > 1 ? await ParallelGroup.start(trainer, { ranks: workers, backend: backend.name }) : null;
trainer.parallel = group;
const t0 = performance.now();
let losses: number[] = [];
await runTraining(trainer, null, {
  started: (i) => console.log(`${backend.name} (${backend.reason}); params ${i.params}; ${workers} worker(s) × micro ${i.microBatch} × ${i.accumulation}`),
  metrics: (points) => {
    for (const p of points) {
      if (p.key === 'train/loss') losses.push(p.value);
      if (p.key === 'val/loss') {
        const s = (performance.now() - t0) / 1000;
        const tps = (p.step * trainer.tokensPerUpdate) / s;
        const train = losses.length ? (losses.reduce((a, b) => a + b, 0) / losses.length).toFixed(4) : '-';
        console.log(`step ${p.step} train ${train} val ${p.value.toFixed(4)} (${tps.toFixed(0)} tokens/s, ${s.toFixed(0)} s)`);
        losses = [];
      }
    }
  },
  checkpoint: () => {},
  control: () => null,
});
console.log(`final val loss ${trainer.lastValLoss?.toFixed(4)} after ${trainer.step} steps`);
await group?.close();
trainer.dispose();
