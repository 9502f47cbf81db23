// The memorisation index finds planted training passages at the right offsets, reports nothing for
// absent text, agrees with a brute-force search, and survives its on-disk form.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { MemorizationIndex } from './memorization.ts';

const bytes = (s: string): number[] => Array.from(new TextEncoder().encode(s));

/** Deterministic pseudo-random filler over a small alphabet, so chance matches stay short. */
function filler(length: number, seed: number): number[] {
  let x = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.push(97 + ((x >>> 0) % 20));
  }
  return out;
}

function bruteLongest(train: readonly number[], out: readonly number[]): number {
  let best = 0;
  for (let i = 0; i < out.length; i++)
    for (let s = 0; s < train.length; s++) {
      let k = 0;
      while (i + k < out.length && s + k < train.length && out[i + k] === train[s + k]) k++;
      best = Math.max(best, k);
    }
  return best;
}

describe('MemorizationIndex', () => {
  const passage = bytes('Call me Ishmael. Some years ago, never mind how long precisely');
  const before = filler(20_000, 1);
  const train = [...before, ...passage, ...filler(20_000, 2)];
  const index = MemorizationIndex.build(train);

  it('finds a planted training passage at its offset', () => {
    const output = [...bytes('XYZ|'), ...passage.slice(5, 40), ...bytes('|QQQ')];
    const m = index.longestMatch(output);
    expect(m).toEqual({ length: 35, outputStart: 4, sourceOffset: before.length + 5, occurrences: 1 });
  });

  it('returns length 0 for text absent from training', () => {
    expect(index.longestMatch(bytes('0123456789')).length).toBe(0);
    expect(index.longestMatch([]).length).toBe(0);
  });

  it('reports the first occurrence and the count of a repeated span', () => {
    const phrase = bytes('THE WHITE WHALE');
    const t = [...filler(500, 3), ...phrase, ...filler(500, 4), ...phrase, ...filler(100, 5)];
    const m = MemorizationIndex.build(t).longestMatch([...bytes('##'), ...phrase]);
    expect(m).toEqual({ length: phrase.length, outputStart: 2, sourceOffset: 500, occurrences: 2 });
  });

  it('gives per-position match lengths (matching statistics)', () => {
    const idx = MemorizationIndex.build(bytes('abcab'));
    // output "abcx": "abc" from 0, "bc" from 1, "c" from 2, nothing from 3
    expect(Array.from(idx.matchLengths(bytes('abcx')))).toEqual([3, 2, 1, 0]);
  });

  it('agrees with brute force on random inputs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 120 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 30 }),
        (t, out) => {
          const m = MemorizationIndex.build(t).longestMatch(out);
          expect(m.length).toBe(bruteLongest(t, out));
          if (m.length > 0) {
            expect(out.slice(m.outputStart, m.outputStart + m.length)).toEqual(t.slice(m.sourceOffset, m.sourceOffset + m.length));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('round-trips through its Int32Array form and rejects corrupt data in one line', () => {
    const flat = index.toInt32Array();
    const loaded = MemorizationIndex.fromInt32Array(new Int32Array(flat), 'cache.bin');
    expect(loaded.size).toBe(train.length);
    expect(loaded.longestMatch(passage)).toEqual(index.longestMatch(passage));
    expect(() => MemorizationIndex.fromInt32Array(flat.subarray(0, flat.length - 1), 'cache.bin')).toThrow(/^cache\.bin: truncated/);
    const swapped = new Int32Array(flat);
    const n = train.length;
    [swapped[3 + n + 10], swapped[3 + n + 20]] = [swapped[3 + n + 20]!, swapped[3 + n + 10]!];
    expect(() => MemorizationIndex.fromInt32Array(swapped, 'cache.bin')).toThrow(/^cache\.bin: suffix array out of order/);
    const dup = new Int32Array(flat);
    dup[3 + n + 1] = dup[3 + n]!;
    expect(() => MemorizationIndex.fromInt32Array(dup, 'cache.bin')).toThrow(/corrupt suffix array/);
    expect(() => MemorizationIndex.fromInt32Array(new Int32Array([1, 2, 3]))).toThrow(/not a memorisation index/);
  });
});
