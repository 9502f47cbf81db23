// Probes run at each eval besides val loss (DESIGN §5–6): the built-in diagnostic prompts sampled with
// fixed settings, summarised as gen/* metrics, and condensation per layer on a fixed held-out text (diag/*).
import { tf } from './tf.ts';
import type { RunConfig } from '../../shared/config.ts';
import type { MetricPoint } from '../../shared/metrics.ts';
import { builtInDiagnosticSet } from '../../shared/generation/builtin-prompts.ts';
import type { PromptSet } from '../../shared/generation/prompts.ts';
import { diagnoseSample, genMetrics, summarizePromptSet, type PromptSetSummary, type SampleDiagnostics } from '../../shared/generation/diagnosis.ts';
import { condensationMetrics, type CondensationStats, type LayerCondensation } from '../../shared/generation/condensation.ts';
import { layerCondensation, spearman } from './diagnostics/condensation.ts';
import { generate, type SampleSettings } from './sample.ts';
import type { LanguageModel } from './model/registry.ts';
import type { Tokenizer } from './data/tokenizer.ts';

/**
 * Fixed for every eval of every run, so curves compare across steps and runs. Sampled (not greedy) because greedy
 * decoding loops even in healthy small models, which would drown the signal; a collapsed model loops anyway, since
 * its low-entropy distribution makes sampling near-greedy. Seeds are per prompt and never touch the training RNG.
 */
export const GEN_PROBE_SETTINGS: Readonly<Omit<SampleSettings, 'seed'>> = {
  maxTokens: 48,
  temperature: 0.8,
  topK: 0,
  topP: 1,
  repetitionPenalty: 1,
  stop: [],
  useCache: true,
};
export const GEN_PROBE_SEED = 1337;


export interface GenerationProbe {
  summary: PromptSetSummary;
  samples: { id: string; text: string; diagnostics: SampleDiagnostics }[];
  /** Prompt ids left out because the run's tokenizer cannot encode them (a char vocabulary without those characters). */
  skipped: string[];
}

function encodable(tokenizer: Tokenizer, text: string): boolean {
  try {
    return tokenizer.encode(text).length > 0;
  } catch {
    return false;
  }
}

/**
 * Samples every prompt of the set the run's tokenizer can encode; null when it can encode none, or when `cancelled`
 * turned true meanwhile (a stop or pause should not wait for the whole set, and a partial set would skew the means).
 */
export async function probeGeneration(
  model: LanguageModel,
  tokenizer: Tokenizer,
  set: PromptSet = builtInDiagnosticSet,
  settings: Omit<SampleSettings, 'seed'> = GEN_PROBE_SETTINGS,
  cancelled?: () => boolean,
): Promise<GenerationProbe | null> {
  const samples: GenerationProbe['samples'] = [];
  const measured: { tokens: number[]; diagnostics: SampleDiagnostics }[] = [];
  const skipped: string[] = [];
  for (const [i, p] of set.prompts.entries()) {
    if (!encodable(tokenizer, p.prompt)) {
      skipped.push(p.id);
      continue;
    }
    const r = await generate(model, tokenizer, p.prompt, { ...settings, seed: GEN_PROBE_SEED + i }, { cancelled });
    if (r.finish === 'cancelled') return null;
    const diagnostics = diagnoseSample({ tokens: r.tokens, text: r.text, entropies: r.entropies, expectedKeywords: p.expectedKeywords });
    samples.push({ id: p.id, text: r.text, diagnostics });
    measured.push({ tokens: r.tokens, diagnostics });
  }
  if (measured.length === 0) return null;
  return { summary: summarizePromptSet(measured), samples, skipped };
}

/** The gen/* values of a probe (GenMetricKey names, which the monitor's detectors read too). */
export function generationMetricValues(summary: PromptSetSummary): Record<string, number> {
  return genMetrics(summary);
}

/** Hidden states as [tokens × d] arrays: index 0 the embedding output, i the output of block i (the shared numbering). */
function hiddenStates(model: LanguageModel, tokens: Int32Array): { depth: number; states: Float32Array }[] {
  return tf.tidy(() => {
    const T = tokens.length;
    const x = tf.tensor2d(tokens, [1, T], 'int32');
    const out = model.forward(x, { training: false });
    const layers = out.hidden.map((h, i) => ({ depth: i + 1, states: h.dataSync() as Float32Array }));
    layers.unshift({ depth: 0, states: out.embedded.dataSync() as Float32Array });
    return layers;
  });
}

/** Condensation at every depth on one held-out text (at most block_size tokens); needs at least 2 tokens. */
export function probeCondensation(model: LanguageModel, tokens: Int32Array): CondensationStats {
  const text = tokens.subarray(0, Math.min(tokens.length, model.spec.block_size));
  if (text.length < 2) throw new RangeError(`condensation needs at least 2 held-out tokens, got ${text.length}`);
  const d = model.spec.d_model;
  const layers: LayerCondensation[] = hiddenStates(model, text).map((l) => layerCondensation(l.depth, l.states, text.length, d));
  const rho = spearman(
    layers.map((l) => l.layer),
    layers.map((l) => l.meanCosine),
  );
  return { tokens: text.length, dim: d, layers, spearmanRho: rho };
}

/** What the probes need from a trainer (Trainer satisfies it). */
export interface ProbeTarget {
  readonly config: RunConfig;
  readonly model: LanguageModel;
  readonly tokenizer: Tokenizer;
  readonly data: { readonly val: Int32Array };
  readonly step: number;
}

/** The probes eval.generation and eval.diagnostics switch on, as metric points at the trainer's step. */
export async function runEvalProbes(t: ProbeTarget, cancelled?: () => boolean): Promise<MetricPoint[]> {
  const values: Record<string, number> = {};
  if (t.config.eval.diagnostics) Object.assign(values, condensationMetrics(probeCondensation(t.model, t.data.val)));
  if (t.config.eval.generation) {
    const probe = await probeGeneration(t.model, t.tokenizer, builtInDiagnosticSet, GEN_PROBE_SETTINGS, cancelled);
    if (probe) Object.assign(values, generationMetricValues(probe.summary));
  }
  return Object.entries(values).map(([key, value]) => ({ step: t.step, key, value }));
}
