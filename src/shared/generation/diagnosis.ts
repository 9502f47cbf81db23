// One sample's diagnostics as a typed, zod-checked object (it travels over the API and is stored as JSON),
// and the prompt-set summary that becomes the gen/* metrics and the response-collapse evidence (DESIGN §5).
import { z } from 'zod';
import {
  crossPromptSameness,
  detectLoop,
  distinct,
  keywordScore,
  meanEntropy,
  seqRep,
  type ExpectedKeyword,
  type LoopOptions,
  type SamenessOptions,
  type Tokens,
} from './metrics.ts';

const count = z.number().int().min(0);
const unit = z.number().min(0).max(1);

export const LoopSpan = z.object({
  start: count,
  end: count,
  period: z.number().int().min(1),
  repeats: z.number().int().min(1),
});
export type LoopSpan = z.infer<typeof LoopSpan>;

/** Longest span of the output found verbatim in the training tokens; length 0 means nothing matched (offsets then 0). */
export const MemorizationMatch = z.object({
  length: count,
  /** Token index in the output where the span starts. */
  outputStart: count,
  /** Token offset of one occurrence in the training stream. */
  sourceOffset: count,
  /** How many times the span occurs in the training stream (a common phrase vs a one-off passage). */
  occurrences: count,
});
export type MemorizationMatch = z.infer<typeof MemorizationMatch>;

export const KeywordResult = z.object({ score: unit, matched: z.array(z.string()), missing: z.array(z.string()) });
export type KeywordResult = z.infer<typeof KeywordResult>;

/** Values for n = 1..4, keyed by n. */
export const ByOrder = z.object({ 1: unit, 2: unit, 3: unit, 4: unit });
export type ByOrder = z.infer<typeof ByOrder>;

export const SampleDiagnostics = z.object({
  /** Generated tokens measured (the continuation, not the prompt). */
  tokens: count,
  seqRep: ByOrder,
  distinct: ByOrder,
  /** Mean next-token entropy in nats over generated positions; null when the sampler gave none. */
  meanEntropy: z.number().min(0).nullable(),
  /** Token span of a looping tail, for highlighting; null when the tail does not loop. */
  loop: LoopSpan.nullable(),
  keyword: KeywordResult.nullable(),
  memorization: MemorizationMatch.nullable(),
});
export type SampleDiagnostics = z.infer<typeof SampleDiagnostics>;

export interface SampleInput {
  /** Generated token ids (continuation only). */
  tokens: Tokens;
  /** Generated text, for the keyword score. */
  text?: string;
  /** Entropy (nats) of the next-token distribution at each generated position. */
  entropies?: ArrayLike<number>;
  expectedKeywords?: readonly ExpectedKeyword[];
  /** From the memorisation index (main side); the shared layer cannot see training data. */
  memorization?: MemorizationMatch | null;
  loop?: LoopOptions;
}

function byOrder(f: (n: number) => number): ByOrder {
  return { 1: f(1), 2: f(2), 3: f(3), 4: f(4) };
}

export function diagnoseSample(input: SampleInput): SampleDiagnostics {
  const { tokens } = input;
  const entropy = input.entropies ? meanEntropy(input.entropies) : null;
  const keyword = input.text !== undefined && input.expectedKeywords ? keywordScore(input.text, input.expectedKeywords) : null;
  return {
    tokens: tokens.length,
    seqRep: byOrder((n) => seqRep(tokens, n)),
    distinct: byOrder((n) => distinct(tokens, n)),
    // Entropy is ≥ 0 in exact arithmetic; clamp the −1e-16 that floating point can leave.
    meanEntropy: entropy === null ? null : Math.max(0, entropy),
    loop: detectLoop(tokens, input.loop),
    keyword,
    memorization: input.memorization ?? null,
  };
}

/** Metric keys recorded at each eval when `eval.generation` is on. */
export const GenMetricKey = {
  seqRep4: 'gen/seq_rep_4',
  distinct2: 'gen/distinct_2',
  entropy: 'gen/entropy',
  loopFraction: 'gen/loop_fraction',
  keywordScore: 'gen/keyword_score',
  sameness: 'gen/cross_prompt_sameness',
  memorizedLength: 'gen/memorized_length',
} as const;

export const PromptSetSummary = z.object({
  samples: count,
  seqRep4: unit,
  distinct2: unit,
  meanEntropy: z.number().min(0).nullable(),
  /** Fraction of samples whose tail loops. */
  loopFraction: unit,
  /** Mean keyword score over the prompts that have expected keywords; null when none has. */
  keywordScore: unit.nullable(),
  sameness: z.object({ score: unit, nearIdenticalPairs: unit, largestGroup: count, flagged: z.boolean() }),
  /** Mean longest verbatim training span; null when no memorisation was measured. */
  memorizedLength: z.number().min(0).nullable(),
});
export type PromptSetSummary = z.infer<typeof PromptSetSummary>;

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Aggregates the samples of one prompt set (one per distinct prompt) at one checkpoint. */
export function summarizePromptSet(
  samples: readonly { tokens: Tokens; diagnostics: SampleDiagnostics }[],
  sameness: SamenessOptions = {},
): PromptSetSummary {
  const d = samples.map((s) => s.diagnostics);
  const numbers = (pick: (x: SampleDiagnostics) => number | null | undefined): number[] =>
    d.map(pick).filter((v): v is number => typeof v === 'number');
  return {
    samples: samples.length,
    seqRep4: mean(numbers((x) => x.seqRep[4])) ?? 0,
    distinct2: mean(numbers((x) => x.distinct[2])) ?? 1,
    meanEntropy: mean(numbers((x) => x.meanEntropy)),
    loopFraction: d.length === 0 ? 0 : d.filter((x) => x.loop !== null).length / d.length,
    keywordScore: mean(numbers((x) => x.keyword?.score)),
    sameness: crossPromptSameness(samples.map((s) => s.tokens), sameness),
    memorizedLength: mean(numbers((x) => x.memorization?.length)),
  };
}

/** The gen/* metric values of a summary; absent measures are left out rather than recorded as 0. */
export function genMetrics(summary: PromptSetSummary): Record<string, number> {
  const out: Record<string, number> = {
    [GenMetricKey.seqRep4]: summary.seqRep4,
    [GenMetricKey.distinct2]: summary.distinct2,
    [GenMetricKey.loopFraction]: summary.loopFraction,
    [GenMetricKey.sameness]: summary.sameness.score,
  };
  if (summary.meanEntropy !== null) out[GenMetricKey.entropy] = summary.meanEntropy;
  if (summary.keywordScore !== null) out[GenMetricKey.keywordScore] = summary.keywordScore;
  if (summary.memorizedLength !== null) out[GenMetricKey.memorizedLength] = summary.memorizedLength;
  return out;
}

export interface CollapseThresholds {
  seqRep4: number;
  loopFraction: number;
}
const defaultCollapseThresholds: CollapseThresholds = { seqRep4: 0.5, loopFraction: 0.5 };

/** DESIGN §5 response-collapse criteria that a summary meets, as one-line evidence each (empty: healthy). */
export function collapseEvidence(summary: PromptSetSummary, t: CollapseThresholds = defaultCollapseThresholds): string[] {
  const evidence: string[] = [];
  if (summary.seqRep4 > t.seqRep4) evidence.push(`seq-rep-4 ${summary.seqRep4.toFixed(2)} > ${t.seqRep4}`);
  if (summary.loopFraction > t.loopFraction)
    evidence.push(`repetition loop in ${Math.round(summary.loopFraction * summary.samples)} of ${summary.samples} samples`);
  if (summary.sameness.flagged)
    evidence.push(`${summary.sameness.largestGroup} of ${summary.samples} outputs near-identical across different prompts`);
  return evidence;
}
