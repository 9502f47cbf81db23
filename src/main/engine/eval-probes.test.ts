// Eval probes on tiny models: gen/* and diag/condensation/* at eval steps, in range, tensor-neutral,
// deterministic, invisible to the training stream, and a forced collapse that the measures see.
import { describe, it, expect, beforeAll } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { tf } from './tf.ts';
import { Trainer, runTraining } from './train.ts';
import { tinyConfig, tinyText } from './testing/tiny.ts';
import { probeCondensation, probeGeneration, runEvalProbes } from './eval-probes.ts';
import { GenMetricKey } from '../../shared/generation/diagnosis.ts';
import { builtInDiagnosticSet } from '../../shared/generation/builtin-prompts.ts';
import { PromptSet } from '../../shared/generation/prompts.ts';
import type { MetricPoint } from '../../shared/metrics.ts';
import type { RunConfigInput } from '../../shared/config.ts';

const text = tinyText();
const model = { n_layer: 2, n_head: 2, d_model: 16, block_size: 128 };
const make = (o: RunConfigInput = {}): Trainer =>
  new Trainer({ config: tinyConfig({ data: { tokenizer: 'byte' }, ...o, model: { ...model, ...o.model } }), backend: 'cpu', text });

/** The keys the response-collapse detector and the run page read (src/main/monitor/keys.ts). */
const genKeys = [GenMetricKey.seqRep4, GenMetricKey.distinct2, GenMetricKey.entropy, GenMetricKey.loopFraction, GenMetricKey.keywordScore, GenMetricKey.sameness];

function collect(): { points: MetricPoint[]; hooks: Parameters<typeof runTraining>[2] } {
  const points: MetricPoint[] = [];
  return {
    points,
    hooks: { started: () => undefined, metrics: (p) => void points.push(...p), checkpoint: () => undefined, control: () => null },
  };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('eval probes in runTraining', () => {
  it('records gen/* at every eval step when eval.generation is on, each in its range', async () => {
    const t = make({ train: { steps: 4, batch_size: 2 }, eval: { every: 2, batches: 1, generation: true } });
    const { points, hooks } = collect();
    await runTraining(t, null, hooks);
    t.dispose();
    for (const key of genKeys) {
      const at = points.filter((p) => p.key === key);
      expect(at.map((p) => p.step), key).toEqual([0, 2, 4]);
      for (const p of at) {
        expect(Number.isFinite(p.value), key).toBe(true);
        const max = key === GenMetricKey.entropy ? Math.log(256) + 1e-9 : 1; // entropy in nats over 256 bytes; the rest are rates
        expect(p.value, key).toBeGreaterThanOrEqual(0);
        expect(p.value, key).toBeLessThanOrEqual(max);
      }
    }
    // A near-untrained byte model at temperature 0.8 spreads its mass: entropy far above a collapsed model's ≈ 0.
    expect(points.find((p) => p.key === GenMetricKey.entropy && p.step === 0)!.value).toBeGreaterThan(3);
    expect(points.some((p) => p.key.startsWith('diag/'))).toBe(false);
  });

  it('records condensation per depth (embedding + every block) and its trend when eval.diagnostics is on', async () => {
    const t = make({ train: { steps: 2, batch_size: 2 }, eval: { every: 2, batches: 1, diagnostics: true } });
    const { points, hooks } = collect();
    await runTraining(t, null, hooks);
    t.dispose();
    for (const layer of [0, 1, 2]) {
      const at = points.filter((p) => p.key === `diag/condensation/layer_${layer}`);
      expect(at.map((p) => p.step)).toEqual([0, 2]);
      for (const p of at) expect(Math.abs(p.value)).toBeLessThanOrEqual(1);
    }
    expect(points.some((p) => p.key === 'diag/condensation/layer_3')).toBe(false);
    expect(points.some((p) => p.key.startsWith('gen/'))).toBe(false);
  });

  it('records neither by default', async () => {
    const t = make({ train: { steps: 2, batch_size: 2 }, eval: { every: 2, batches: 1 } });
    const { points, hooks } = collect();
    await runTraining(t, null, hooks);
    t.dispose();
    expect(points.some((p) => p.key.startsWith('gen/') || p.key.startsWith('diag/'))).toBe(false);
  });

  it('leaves training bit-identical (dropout on): same weights with probes on as off', async () => {
    const run = async (on: boolean): Promise<Map<string, Float32Array>> => {
      const t = make({ seed: 5, model: { dropout: 0.1 }, train: { steps: 3, batch_size: 2 }, eval: { every: 1, batches: 1, generation: on, diagnostics: on } });
      await runTraining(t, null, collect().hooks);
      const s = t.snapshot();
      t.dispose();
      return s;
    };
    const off = await run(false);
    const on = await run(true);
    for (const [name, v] of off) expect(Array.from(on.get(name)!), name).toEqual(Array.from(v));
  });
});

describe('runEvalProbes', () => {
  it('keeps tf.memory().numTensors flat and gives the same values twice on the same weights', async () => {
    const t = make({ eval: { every: 5, batches: 1, generation: true, diagnostics: true } });
    t.trainStep();
    const before = tf.memory().numTensors;
    const a = await runEvalProbes(t);
    expect(tf.memory().numTensors).toBe(before);
    const b = await runEvalProbes(t);
    expect(tf.memory().numTensors).toBe(before);
    expect(b).toEqual(a);
    expect(a.every((p) => p.step === 1)).toBe(true);
    t.dispose();
  });

  it('gives up the sampling (no gen/* points, no leaked tensors) once cancelled, e.g. by a stop request', async () => {
    const t = make({ eval: { every: 5, batches: 1, generation: true, diagnostics: true } });
    const before = tf.memory().numTensors;
    let polls = 0;
    const points = await runEvalProbes(t, () => ++polls > 20);
    expect(polls).toBe(21); // stopped at the first poll after the request, not at the end of the set
    expect(points.some((p) => p.key.startsWith('gen/'))).toBe(false);
    expect(points.some((p) => p.key.startsWith('diag/'))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
  });

  it('measures a collapsed model as collapsed: one token forever', async () => {
    const t = make();
    // ln_f → a constant vector along component 0; token 65 ("A") alone has weight there, so its logit dwarfs the rest.
    const w = t.snapshot();
    w.get('transformer.ln_f.weight')!.fill(0);
    const bias = w.get('transformer.ln_f.bias')!;
    bias.fill(0);
    bias[0] = 1000;
    const wte = w.get('transformer.wte.weight')!;
    for (let id = 0; id < 256; id++) wte[id * model.d_model] = id === 65 ? 1 : 0;
    t.setParams(w);
    const probe = (await probeGeneration(t.model, t.tokenizer))!;
    t.dispose();
    expect(probe.skipped).toEqual([]);
    expect(probe.samples).toHaveLength(builtInDiagnosticSet.prompts.length);
    for (const s of probe.samples) expect(s.text).toBe('A'.repeat(48));
    expect(probe.summary.seqRep4).toBeCloseTo(1 - 1 / 45, 10);
    expect(probe.summary.loopFraction).toBe(1);
    expect(probe.summary.meanEntropy!).toBeLessThan(1e-6);
    expect(probe.summary.sameness.flagged).toBe(true);
  });

  it('skips prompts the char vocabulary cannot encode, and records no gen/* when none can be', async () => {
    const t = new Trainer({ config: tinyConfig({ data: { tokenizer: 'char' }, model, eval: { every: 5, batches: 1, generation: true } }), backend: 'cpu', text });
    const set = PromptSet.parse({
      version: 1,
      id: 'mixed',
      name: 'mixed',
      prompts: [
        { id: 'known', prompt: 'the whale', expectedKeywords: ['sea'] },
        { id: 'unknown', prompt: 'Call me' },
      ],
    });
    const probe = (await probeGeneration(t.model, t.tokenizer, set))!;
    expect(probe.skipped).toEqual(['unknown']);
    expect(probe.samples.map((s) => s.id)).toEqual(['known']);
    // Built-in prompts all hold capitals or digits, none of which tinyText has.
    expect(await probeGeneration(t.model, t.tokenizer)).toBeNull();
    expect((await runEvalProbes(t)).some((p) => p.key.startsWith('gen/'))).toBe(false);
    t.dispose();
  });

  it('condensation: every depth at cosine 1 when all positions see the same token and no position signal', async () => {
    const t = make();
    const w = t.snapshot();
    w.get('transformer.wpe.weight')!.fill(0);
    t.setParams(w);
    // Identical inputs everywhere: causal attention averages identical values, so every block's outputs coincide too.
    const same = await probeCondensation(t.model, new Int32Array(40).fill(7));
    const varied = await probeCondensation(t.model, t.data.val);
    t.dispose();
    expect(same.tokens).toBe(40);
    expect(same.layers.map((l) => l.layer)).toEqual([0, 1, 2]);
    for (const l of same.layers) {
      expect(l.pairs).toBe((40 * 39) / 2);
      expect(l.meanCosine).toBeCloseTo(1, 5);
    }
    expect(varied.layers[0]!.meanCosine).toBeLessThan(0.99);
  });
});
