// Memorisation is judged against chance: the shortest span that counts grows with how common it is.
import { describe, expect, it } from 'vitest';
import { isMemorized, memorizedThreshold, MEMORIZED_MIN_TOKENS } from './memorization.ts';

const match = (length: number, occurrences: number) => ({ length, occurrences, outputStart: 0, sourceOffset: 0 });

describe('memorisation threshold', () => {
  it('grows with how often the span occurs in the training data', () => {
    expect(memorizedThreshold(1)).toBe(MEMORIZED_MIN_TOKENS);
    expect(memorizedThreshold(10)).toBe(2 * MEMORIZED_MIN_TOKENS);
    expect(memorizedThreshold(100)).toBe(3 * MEMORIZED_MIN_TOKENS);
    expect(memorizedThreshold(0)).toBe(MEMORIZED_MIN_TOKENS);
  });

  it('does not call trivial common spans memorised, but does a long rare passage', () => {
    expect(isMemorized(match(7, 900))).toBe(false); // "the the " style: short and everywhere
    expect(isMemorized(match(20, 40))).toBe(false); // a common phrase of 20 tokens
    expect(isMemorized(match(20, 1))).toBe(true); // a one-off passage of 20 tokens
    expect(isMemorized(match(60, 40))).toBe(true);
    expect(isMemorized(null)).toBe(false);
    expect(isMemorized(match(10, 1), 8)).toBe(true); // the base is settable
  });
});
