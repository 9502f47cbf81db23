// Generation metrics against hand-computed cases, the DESIGN §5 definitions and brute-force references.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  byteSpanToStringSpan,
  crossPromptSameness,
  detectLoop,
  distinct,
  entropyFromLogits,
  jaccard,
  keywordScore,
  meanEntropy,
  ngramKeys,
  seqRep,
  textToTokens,
  zFunction,
} from './metrics.ts';

const bytes = (s: string): number[] => textToTokens(s, 'byte');

describe('textToTokens', () => {
  it('gives UTF-8 bytes or code points', () => {
    expect(textToTokens('aé', 'byte')).toEqual([97, 0xc3, 0xa9]);
    expect(textToTokens('aé', 'char')).toEqual([97, 0xe9]);
    expect(textToTokens('😀', 'char')).toEqual([0x1f600]);
  });

  it('maps byte spans back to string indices for highlighting', () => {
    const text = 'aé😀b';
    // bytes: a | é é | 😀 😀 😀 😀 | b  — string units: a | é | 😀 😀 | b
    expect(byteSpanToStringSpan(text, 0, 1)).toEqual({ start: 0, end: 1 });
    expect(byteSpanToStringSpan(text, 1, 3)).toEqual({ start: 1, end: 2 });
    expect(byteSpanToStringSpan(text, 3, 8)).toEqual({ start: 2, end: 5 });
    expect(byteSpanToStringSpan(text, 2, 4)).toEqual({ start: 1, end: 4 }); // mid-character bytes widen
    expect(byteSpanToStringSpan(text, 0, 8)).toEqual({ start: 0, end: 5 });
    const loopText = 'héllo abcabcabc';
    const loop = detectLoop(bytes(loopText))!;
    const span = byteSpanToStringSpan(loopText, loop.start, loop.end);
    expect(loopText.slice(span.start, span.end)).toBe('abcabcabc');
  });
});

describe('distinct-n and seq-rep-n', () => {
  it('matches hand counts', () => {
    // "abab": unigrams a,b,a,b (2 unique of 4); bigrams ab,ba,ab (2 of 3); trigrams aba,bab (2 of 2).
    expect(distinct(bytes('abab'), 1)).toBe(0.5);
    expect(distinct(bytes('abab'), 2)).toBeCloseTo(2 / 3, 12);
    expect(distinct(bytes('abab'), 3)).toBe(1);
    expect(seqRep(bytes('abab'), 2)).toBeCloseTo(1 / 3, 12);
    // five equal tokens: two 4-grams, one unique
    expect(seqRep([7, 7, 7, 7, 7], 4)).toBe(0.5);
  });

  it('seq-rep-4 of a list of distinct 4-grams is 0, even when tokens repeat', () => {
    const tokens = [1, 2, 3, 4, 1, 2, 3, 5, 1, 2, 4, 3];
    expect(new Set(ngramKeys(tokens, 4)).size).toBe(tokens.length - 3);
    expect(seqRep(tokens, 4)).toBe(0);
    expect(seqRep(tokens, 1)).toBeCloseTo(1 - 5 / 12, 12);
  });

  it('does not confuse multi-digit ids when forming keys', () => {
    // naive concatenation would make (1, 12) and (11, 2) the same key
    expect(distinct([1, 12, 11, 2], 2)).toBe(1);
  });

  it('treats sequences shorter than n as fully distinct', () => {
    expect(distinct([1, 2], 4)).toBe(1);
    expect(seqRep([], 1)).toBe(0);
  });

  it('satisfies seqRep = 1 − distinct and stays in [0, 1]', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 60 }), fc.integer({ min: 1, max: 4 }), (t, n) => {
        const d = distinct(t, n);
        expect(d).toBeGreaterThan(0);
        expect(d).toBeLessThanOrEqual(1);
        expect(seqRep(t, n)).toBeCloseTo(1 - d, 12);
      }),
    );
  });

  it('rejects an invalid order', () => {
    expect(() => distinct([1, 2, 3], 0)).toThrow(/positive integer/);
  });
});

describe('entropy', () => {
  it('averages finite per-token entropies', () => {
    expect(meanEntropy([1, 2, 3])).toBe(2);
    expect(meanEntropy([1, NaN, 3, Infinity])).toBe(2);
    expect(meanEntropy([])).toBeNull();
  });

  it('computes softmax entropy from logits', () => {
    expect(entropyFromLogits([0, 0, 0, 0])).toBeCloseTo(Math.log(4), 12);
    expect(entropyFromLogits([5, 5, -Infinity])).toBeCloseTo(Math.log(2), 12);
    expect(entropyFromLogits([1000, 0])).toBeCloseTo(0, 12);
    // temperature → flatter distribution, higher entropy
    expect(entropyFromLogits([2, 1, 0], 2)).toBeGreaterThan(entropyFromLogits([2, 1, 0]));
  });

  it('agrees with −Σ p log p', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 30 }), (logits) => {
        const m = Math.max(...logits);
        const e = logits.map((l) => Math.exp(l - m));
        const z = e.reduce((a, b) => a + b, 0);
        const direct = -e.reduce((acc, v) => (v > 0 ? acc + (v / z) * Math.log(v / z) : acc), 0);
        expect(entropyFromLogits(logits)).toBeCloseTo(direct, 9);
      }),
    );
  });
});

describe('zFunction', () => {
  it('matches the brute-force longest common prefix', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 40 }), (a) => {
        const z = zFunction(a);
        for (let i = 0; i < a.length; i++) {
          let k = 0;
          while (i + k < a.length && a[k] === a[i + k]) k++;
          expect(z[i]).toBe(k);
        }
      }),
    );
  });
});

describe('detectLoop', () => {
  it('finds a period-3 loop with the right span', () => {
    const text = 'Once upon a time abcabcabcabc';
    expect(detectLoop(bytes(text))).toEqual({ start: text.length - 12, end: text.length, period: 3, repeats: 4 });
  });

  it('counts a trailing partial cycle in the span', () => {
    // "xyz" + "abc"×3 + "ab": the tail "abcabcabcab" has period 3 and holds 3 whole cycles
    expect(detectLoop(bytes('xyzabcabcabcab'))).toEqual({ start: 3, end: 14, period: 3, repeats: 3 });
  });

  it('finds the word loop of the issue', () => {
    const text = 'Well, I have more. I have more. I have more. I have more.';
    const loop = detectLoop(bytes(text));
    expect(loop?.period).toBe(' I have more.'.length);
    expect(loop?.end).toBe(text.length);
    expect(text.slice(loop!.start)).toMatch(/^ ?I have more\./);
    expect(loop!.repeats).toBeGreaterThanOrEqual(3);
  });

  it('reports the smallest period, not a multiple', () => {
    expect(detectLoop(bytes('abcabcabcabcabcabc'))).toMatchObject({ period: 3, start: 0, repeats: 6 });
    expect(detectLoop(bytes('zzzzzzzzzzzz'))).toMatchObject({ period: 1, start: 0, repeats: 12 });
  });

  it('prefers the cycle that explains the tail over a short run inside it', () => {
    // "aaa" ends the text (period 1, 3 repeats) but the real loop is "xyaaa" (period 5)
    expect(detectLoop(bytes('xyaaaxyaaaxyaaaxyaaa'), { minSpan: 0 })).toEqual({ start: 0, end: 20, period: 5, repeats: 4 });
  });

  it('ignores prose and short punctuation runs', () => {
    expect(detectLoop(bytes('The quick brown fox jumps over the lazy dog.'))).toBeNull();
    expect(detectLoop(bytes('And then he left...'))).toBeNull();
    expect(detectLoop(bytes('And then he left...'), { minSpan: 3 })).toEqual({ start: 16, end: 19, period: 1, repeats: 3 });
  });

  it('needs minRepeats whole cycles and respects maxPeriod', () => {
    expect(detectLoop(bytes('qrstuvwxyzabcdabcd'))).toBeNull(); // only 2 cycles
    expect(detectLoop(bytes('qrabcdabcdabcd'), { minRepeats: 2 })).toMatchObject({ period: 4, repeats: 3 });
    expect(detectLoop(bytes('abcdabcdabcd'), { maxPeriod: 3 })).toBeNull();
    expect(detectLoop([])).toBeNull();
  });

  it('recovers a planted primitive cycle after any prefix', () => {
    const primitive = (c: number[]): boolean => {
      for (let q = 1; q < c.length; q++) if (c.length % q === 0 && c.every((v, i) => v === c[i % q])) return false;
      return true;
    };
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 8 }).filter(primitive),
        fc.integer({ min: 3, max: 6 }),
        (prefix, cycle, repeats) => {
          const tokens = [...prefix];
          for (let r = 0; r < repeats; r++) tokens.push(...cycle);
          const loop = detectLoop(tokens, { minSpan: 0 });
          expect(loop).not.toBeNull();
          expect(loop!.period).toBe(cycle.length);
          expect(loop!.end).toBe(tokens.length);
          expect(loop!.start).toBeLessThanOrEqual(prefix.length);
          expect(loop!.repeats).toBeGreaterThanOrEqual(repeats);
          // the reported span really is periodic
          for (let i = loop!.start + loop!.period; i < loop!.end; i++) expect(tokens[i]).toBe(tokens[i - loop!.period]);
        },
      ),
    );
  });
});

describe('crossPromptSameness', () => {
  const prose = [
    'The whale rose slowly from the grey water and blew.',
    'Queequeg sharpened his harpoon by the light of the lamp.',
    'Three bells rang out across the harbour before dawn came.',
    'Starbuck would not agree to chase the white whale again.',
  ].map(bytes);

  it('scores identical outputs 1 and flags them', () => {
    const same = bytes('I have more. I have more. I have more.');
    const s = crossPromptSameness([same, same, same]);
    expect(s).toEqual({ score: 1, nearIdenticalPairs: 1, largestGroup: 3, flagged: true });
  });

  it('scores different prose low and does not flag it', () => {
    const s = crossPromptSameness(prose);
    expect(s.score).toBeLessThan(0.2);
    expect(s.flagged).toBe(false);
    expect(s.largestGroup).toBe(1);
  });

  it('flags when most outputs collapse onto one answer', () => {
    const collapsed = bytes('the the the the the the the the the the');
    const s = crossPromptSameness([collapsed, collapsed, collapsed, prose[0]!, prose[1]!]);
    expect(s.largestGroup).toBe(3);
    expect(s.flagged).toBe(true);
    expect(s.nearIdenticalPairs).toBeCloseTo(3 / 10, 12);
  });

  it('computes Jaccard by hand', () => {
    expect(jaccard(new Set(['a', 'b', 'c']), new Set(['b', 'c', 'd']))).toBe(0.5);
    expect(jaccard(new Set(), new Set())).toBe(1);
    expect(crossPromptSameness([bytes('x')]).flagged).toBe(false);
  });
});

describe('keywordScore', () => {
  it('counts keyword groups found, case-insensitively, at word edges', () => {
    expect(keywordScore(' You have 2 apples left.', [['2', 'two']])).toEqual({ score: 1, matched: ['2'], missing: [] });
    expect(keywordScore(' Twelve, or 12.', [['2', 'two']])?.score).toBe(0);
    expect(keywordScore(' ISHMAEL. Some years ago', ['Ishmael', 'whale'])).toEqual({ score: 0.5, matched: ['Ishmael'], missing: ['whale'] });
    expect(keywordScore(' DDDD, EEEEE', ['DDDD'])?.score).toBe(1);
    expect(keywordScore('anything', [])).toBeNull();
  });
});
