// The built-in diagnostic prompt set validates against the prompt-set schema, which names bad fields.
import { describe, it, expect } from 'vitest';
import builtIn from '../../../resources/prompts/diagnostic.json' with { type: 'json' };
import { builtInDiagnosticSet } from './builtin-prompts.ts';
import { formatPromptSetIssues, parsePromptSet } from './prompts.ts';

describe('built-in diagnostic prompt set', () => {
  it('is a valid prompt set with the seed study probes and eight more, each with keywords', () => {
    const result = parsePromptSet(builtIn);
    if (!result.ok) throw new Error(formatPromptSetIssues('diagnostic.json', result.issues));
    const { prompts } = result.set;
    expect(prompts.length).toBeGreaterThanOrEqual(10);
    expect(prompts.some((p) => p.prompt.startsWith('I have 3 apples'))).toBe(true);
    expect(prompts.some((p) => p.prompt.startsWith('Pattern: A, BB, CCC'))).toBe(true);
    for (const p of prompts) expect(p.expectedKeywords.length, p.id).toBeGreaterThan(0);
    expect(builtInDiagnosticSet).toEqual(result.set);
  });
});

describe('parsePromptSet', () => {
  const valid = { version: 1, id: 'mine', name: 'Mine', prompts: [{ id: 'a', prompt: 'Hello' }] };

  it('fills defaults', () => {
    const r = parsePromptSet(valid);
    expect(r.ok && r.set.prompts[0]).toEqual({ id: 'a', prompt: 'Hello', expectedKeywords: [], tags: [] });
  });

  it('names the field of each problem in one line', () => {
    const r = parsePromptSet({
      ...valid,
      prompts: [{ id: 'a', prompt: 'x' }, { id: 'a', prompt: '' }, { id: 'b', prompt: 'y', expectedKeywords: [[]] }],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.issues.map((i) => i.path);
    expect(paths).toContain('prompts.1.prompt');
    expect(paths).toContain('prompts.2.expectedKeywords.0');
    const text = formatPromptSetIssues('my-set.json', r.issues);
    for (const line of text.split('\n')) expect(line).toMatch(/^my-set\.json: prompts\.\d/);
  });

  it('reports duplicate ids and unknown fields', () => {
    const dup = parsePromptSet({ ...valid, prompts: [{ id: 'a', prompt: 'x' }, { id: 'a', prompt: 'y' }] });
    expect(!dup.ok && dup.issues).toEqual([{ path: 'prompts.1.id', message: 'duplicate prompt id "a"' }]);
    const extra = parsePromptSet({ ...valid, colour: 'red' });
    expect(extra.ok).toBe(false);
    expect(parsePromptSet('not an object').ok).toBe(false);
  });
});
