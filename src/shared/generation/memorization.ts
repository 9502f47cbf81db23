// When a span found verbatim in the training data counts as memorised rather than chance: common phrasing (" of the ",
// "the the ") recurs in any text a model learns from, so the shortest span that counts grows with how often the span
// occurs in the corpus. One rule for the playground, the grid and the CLI.
import type { MemorizationMatch } from './diagnosis.ts';

/** Shortest memorised span for a passage that occurs once in the training data (tokens). */
export const MEMORIZED_MIN_TOKENS = 16;

/** The shortest span that counts as memorised when it occurs `occurrences` times: doubles at 10×, triples at 100×. */
export function memorizedThreshold(occurrences: number, minTokens = MEMORIZED_MIN_TOKENS): number {
  return Math.ceil(minTokens * (1 + Math.log10(Math.max(1, occurrences))));
}

/** Whether the longest training match is memorisation (long enough for how common it is), not chance. */
export function isMemorized(m: MemorizationMatch | null | undefined, minTokens = MEMORIZED_MIN_TOKENS): boolean {
  return m != null && m.length > 0 && m.length >= memorizedThreshold(m.occurrences, minTokens);
}
