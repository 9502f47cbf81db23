// Typed keywords and typed prompt sets become the shared schema's values, or name what is wrong.
import { describe, expect, it } from 'vitest';
import { keywordScore } from '../../../shared/generation/metrics.ts';
import { formatKeywords, parseKeywords, promptSetFromLines, slugify } from './prompt-input.ts';

describe('keywords', () => {
  it('reads groups and alternatives, and round-trips', () => {
    const k = parseKeywords(' 2 | two , apples,, ');
    expect(k).toEqual([['2', 'two'], 'apples']);
    expect(formatKeywords(k)).toBe('2|two, apples');
    expect(keywordScore('I have two left', k)!.score).toBe(0.5);
  });
  it('is empty for blank input', () => {
    expect(parseKeywords('  ,  | ')).toEqual([]);
  });
});

describe('slugify', () => {
  it('makes a valid set id', () => {
    expect(slugify('My Probes: Café 2!')).toBe('my-probes-cafe-2');
    expect(slugify('!!!')).toBe('prompt-set');
  });
});

describe('promptSetFromLines', () => {
  it('builds a valid set with keywords after =>', () => {
    const r = promptSetFromLines('Loops', 'I have more. I have =>more\n\nCall me => Ishmael, whale|sea\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.set.id).toBe('loops');
    expect(r.set.prompts).toEqual([
      { id: 'p1', prompt: 'I have more. I have', expectedKeywords: ['more'], tags: [] },
      { id: 'p2', prompt: 'Call me', expectedKeywords: ['Ishmael', ['whale', 'sea']], tags: [] },
    ]);
  });
  it('names the problem when there are no prompts or no name', () => {
    const r = promptSetFromLines('  ', '\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['name', 'prompts']));
  });
});
