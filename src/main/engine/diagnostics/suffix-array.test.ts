// The SA-IS suffix array equals a brute-force sort of all suffixes.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { buildSuffixArray } from './suffix-array.ts';

function bruteForce(t: readonly number[]): number[] {
  const cmp = (a: number, b: number): number => {
    for (let d = 0; ; d++) {
      if (a + d >= t.length) return b + d >= t.length ? 0 : -1;
      if (b + d >= t.length) return 1;
      if (t[a + d] !== t[b + d]) return t[a + d]! - t[b + d]!;
    }
  };
  return t.map((_, i) => i).sort(cmp);
}

describe('buildSuffixArray', () => {
  it('sorts the suffixes of "banana"', () => {
    const t = Array.from('banana', (c) => c.charCodeAt(0));
    // a, ana, anana, banana, na, nana
    expect(Array.from(buildSuffixArray(t))).toEqual([5, 3, 1, 0, 4, 2]);
  });

  it('handles empty, single and constant inputs', () => {
    expect(Array.from(buildSuffixArray([]))).toEqual([]);
    expect(Array.from(buildSuffixArray([42]))).toEqual([0]);
    expect(Array.from(buildSuffixArray([7, 7, 7, 7]))).toEqual([3, 2, 1, 0]);
  });

  it('matches brute force on random small inputs (small alphabets force deep doubling)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }).chain((a) => fc.array(fc.integer({ min: 0, max: a }), { maxLength: 80 })), (t) => {
        expect(Array.from(buildSuffixArray(t))).toEqual(bruteForce(t));
      }),
      { numRuns: 300 },
    );
  });

  it('matches brute force on longer and highly repetitive inputs (deep SA-IS recursion)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 300 }),
        (unit, copies, noise) => {
          const t = [...Array.from({ length: copies }, () => unit).flat(), ...noise];
          expect(Array.from(buildSuffixArray(t))).toEqual(bruteForce(t));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('matches brute force with large, sparse token ids (BPE vocabularies and beyond)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, 50256, 3, 1_000_000_000, 17), { maxLength: 60 }), (t) => {
        expect(Array.from(buildSuffixArray(t))).toEqual(bruteForce(t));
      }),
    );
  });

  it('rejects non-integer or negative tokens', () => {
    expect(() => buildSuffixArray([1, -2])).toThrow(/token at 1/);
    expect(() => buildSuffixArray([1.5])).toThrow(/token at 0/);
  });
});
