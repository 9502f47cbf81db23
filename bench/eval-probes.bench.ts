// What eval.generation and eval.diagnostics add to each eval on the baseline model (byte Moby-Dick, 4L/4H/d128, block
// 64): the diagnostic-set sampling and condensation, beside a validation pass and a training step for scale.
// Run: npx tsx bench/eval-probes.bench.ts [--backend wasm] [--train-steps 0] [--repeats 3] [--from CHECKPOINT_DIR]
// [--temperature T] (compare the fixed probe settings with others, e.g. 0 for greedy)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { initBackend } from '../src/main/engine/backend.ts';
import { resolveConfig, type BackendName } from '../src/shared/config.ts';
import { Trainer } from '../src/main/engine/train.ts';
import { GEN_PROBE_SETTINGS, generationMetricValues, probeCondensation, probeGeneration } from '../src/main/engine/eval-probes.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    'train-steps': { type: 'string', default: '0' },
    repeats: { type: 'string', default: '3' },
    from: { type: 'string' },
    temperature: { type: 'string' },
  },
});

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function time(f: () => unknown): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

const choice = await initBackend(values.backend as BackendName);
const raw: unknown = parseYaml(readFileSync(`${root}resources/configs/baseline.yaml`, 'utf8'));
const resolved = resolveConfig(raw);
if (!resolved.ok) throw new Error(`bad baseline config: ${JSON.stringify(resolved.issues)}`);
const trainer = new Trainer({ config: resolved.config, backend: choice.name, resumeFrom: values.from ?? null });
const repeats = Math.max(1, Number(values.repeats));
const settings = { ...GEN_PROBE_SETTINGS, temperature: values.temperature === undefined ? GEN_PROBE_SETTINGS.temperature : Number(values.temperature) };

const stepMs: number[] = [];
for (let i = 0; i < Math.max(2, Number(values['train-steps'])); i++) stepMs.push(await time(() => trainer.trainStep()));
const evalMs: number[] = [];
const genMs: number[] = [];
const condMs: number[] = [];
let probe = await probeGeneration(trainer.model, trainer.tokenizer, undefined, settings); // warm-up (kernel setup, first-call costs)
for (let r = 0; r < repeats; r++) {
  evalMs.push(await time(() => trainer.evaluate()));
  genMs.push(await time(async () => (probe = await probeGeneration(trainer.model, trainer.tokenizer, undefined, settings))));
  condMs.push(await time(() => probeCondensation(trainer.model, trainer.data.val)));
}
const tokens = probe!.samples.reduce((n, s) => n + s.diagnostics.tokens, 0);
const cfg = trainer.config;
console.log(`backend ${choice.name}; baseline ${cfg.model.n_layer}L/${cfg.model.n_head}H/d${cfg.model.d_model}, block ${cfg.model.block_size}, ${trainer.params} params, at step ${trainer.step}`);
console.log(`train step (batch ${cfg.train.batch_size}):      median ${median(stepMs.slice(1)).toFixed(0)} ms`);
console.log(`val eval (${cfg.eval.batches} batches):           median ${median(evalMs).toFixed(0)} ms`);
console.log(
  `generation probe (${probe!.samples.length} prompts × ${settings.maxTokens} tokens, T=${settings.temperature}): ` +
    `median ${median(genMs).toFixed(0)} ms (${(median(genMs) / tokens).toFixed(1)} ms/token; min ${Math.min(...genMs).toFixed(0)}, max ${Math.max(...genMs).toFixed(0)})`,
);
console.log(`condensation (${Math.min(trainer.data.val.length, cfg.model.block_size)} tokens, ${cfg.model.n_layer + 1} depths): median ${median(condMs).toFixed(1)} ms`);
console.log(`gen/* at this step: ${JSON.stringify(generationMetricValues(probe!.summary), (_k, v: unknown) => (typeof v === 'number' ? Number(v.toFixed(3)) : v))}`);
for (const x of probe!.samples) console.log(`  ${x.id.padEnd(12)} ${JSON.stringify(x.text)}`);
trainer.dispose();
