// The entropy strip's scale and colours: absolute per tokenizer, monotone from calm to hot, bucketed when long.
import { describe, expect, it } from 'vitest';
import { bucketEntropies, entropyColour, entropyFraction, entropyScaleMax, vocabSizeOf } from './entropy-colour.ts';

const hue = (c: string): number => Number(/hsl\((\d+)/.exec(c)![1]);

describe('entropy scale', () => {
  it('is ln(vocab) when the vocabulary is known, else the largest finite value', () => {
    expect(entropyScaleMax([0.1, 0.2], 256)).toBeCloseTo(Math.log(256));
    expect(entropyScaleMax([0.5, NaN, 2, Infinity])).toBe(2);
    expect(entropyScaleMax([])).toBe(1);
  });
  it('maps entropy to a clamped fraction', () => {
    expect(entropyFraction(1, 4)).toBe(0.25);
    expect(entropyFraction(9, 4)).toBe(1);
    expect(entropyFraction(NaN, 4)).toBe(0);
  });
  it('gets hotter (lower hue) as entropy rises', () => {
    const hues = [0, 1, 2, 3, 4].map((h) => hue(entropyColour(h, 4)));
    expect(hues[0]).toBe(200);
    expect(hues[4]).toBe(0);
    for (let i = 1; i < hues.length; i++) expect(hues[i]!).toBeLessThan(hues[i - 1]!);
  });
});

describe('bucketEntropies', () => {
  it('keeps one cell per token when they fit', () => {
    expect(bucketEntropies([1, 2, 3], 10).map((b) => b.value)).toEqual([1, 2, 3]);
  });
  it('averages buckets when there are more tokens than cells, skipping non-finite values', () => {
    const b = bucketEntropies([1, 3, 5, NaN, 2, 2, 7], 3);
    expect(b.map((x) => [x.from, x.to])).toEqual([[0, 3], [3, 6], [6, 7]]);
    expect(b[0]!.value).toBe(3);
    expect(b[1]!.value).toBe(2);
    expect(b[2]!.value).toBe(7);
  });
  it('is empty for no tokens', () => {
    expect(bucketEntropies([], 10)).toEqual([]);
  });
});

describe('vocabSizeOf', () => {
  it('knows the fixed vocabularies and leaves corpus-dependent ones open', () => {
    expect(vocabSizeOf('byte')).toBe(256);
    expect(vocabSizeOf('gpt2')).toBe(50257);
    expect(vocabSizeOf('char')).toBeNull();
    expect(vocabSizeOf(undefined)).toBeNull();
  });
});
