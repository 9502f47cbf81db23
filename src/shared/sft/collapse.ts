// Response-collapse measures for a fine-tuned model (DESIGN.md §9): its answers to held-out prompts, compared
// with each other (sameness, loops, repetition) and with the reference answers (length, accuracy), as sft/* metrics.
import { crossPromptSameness, detectLoop, distinct, keywordScore, seqRep, textToTokens } from '../generation/metrics.ts';

export interface SftAnswer {
  /** The model's answer (cut at the template's end marker). */
  response: string;
  /** The held-out example's reference answer. */
  reference: string;
  /** Words a correct answer contains; empty when the example names none. */
  keywords: readonly string[];
  /** Whether the model closed its answer with the end marker. */
  ended: boolean;
}

export const sftMetricKeys = [
  'sft/sameness',
  'sft/near_identical',
  'sft/distinct_2',
  'sft/seq_rep_4',
  'sft/loop_fraction',
  'sft/response_len',
  'sft/length_ratio',
  'sft/ended',
  'sft/exact_match',
  'sft/keyword_acc',
] as const;
export type SftMetricKey = (typeof sftMetricKeys)[number];

const normalise = (s: string): string => s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

/** One value per key; keyword accuracy is left out when no example names keywords (nothing to score). */
export function sftCollapseMetrics(answers: readonly SftAnswer[]): Partial<Record<SftMetricKey, number>> {
  if (answers.length === 0) return {};
  const tokens = answers.map((a) => textToTokens(a.response));
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  const sameness = crossPromptSameness(tokens);
  const refLen = mean(answers.map((a) => textToTokens(a.reference).length));
  const respLen = mean(tokens.map((t) => t.length));
  const scored = answers.filter((a) => a.keywords.length > 0);
  const out: Partial<Record<SftMetricKey, number>> = {
    'sft/sameness': sameness.score,
    'sft/near_identical': sameness.nearIdenticalPairs,
    'sft/distinct_2': mean(tokens.map((t) => distinct(t, 2))),
    'sft/seq_rep_4': mean(tokens.map((t) => seqRep(t, 4))),
    'sft/loop_fraction': mean(tokens.map((t) => (detectLoop(t) ? 1 : 0))),
    'sft/response_len': respLen,
    'sft/length_ratio': refLen > 0 ? respLen / refLen : 0,
    'sft/ended': mean(answers.map((a) => (a.ended ? 1 : 0))),
    'sft/exact_match': mean(answers.map((a) => (normalise(a.response) === normalise(a.reference) ? 1 : 0))),
  };
  if (scored.length > 0) out['sft/keyword_acc'] = mean(scored.map((a) => keywordScore(a.response, a.keywords)!.score));
  return out;
}
