// SFT collapse measures: healthy distinct answers versus one answer for every question.
import { describe, expect, it } from 'vitest';
import { sftCollapseMetrics } from './collapse.ts';
import { promptText, responseFromContinuation } from './template.ts';

describe('sftCollapseMetrics', () => {
  const refs = [
    { q: 'France', a: 'The capital of France is Paris.', k: 'Paris' },
    { q: 'Japan', a: 'The capital of Japan is Tokyo.', k: 'Tokyo' },
    { q: 'Peru', a: 'The capital of Peru is Lima.', k: 'Lima' },
    { q: 'add', a: '12 plus 30 is 42.', k: '42' },
  ];

  it('scores correct, distinct answers as healthy', () => {
    const m = sftCollapseMetrics(refs.map((r) => ({ response: r.a, reference: r.a, keywords: [r.k], ended: true })));
    expect(m['sft/exact_match']).toBe(1);
    expect(m['sft/keyword_acc']).toBe(1);
    expect(m['sft/length_ratio']).toBeCloseTo(1, 6);
    expect(m['sft/loop_fraction']).toBe(0);
    expect(m['sft/near_identical']).toBe(0);
  });

  it('flags one answer for every question', () => {
    const same = 'The capital of France is Paris.';
    const m = sftCollapseMetrics(refs.map((r) => ({ response: same, reference: r.a, keywords: [r.k], ended: true })));
    expect(m['sft/sameness']).toBe(1);
    expect(m['sft/near_identical']).toBe(1);
    expect(m['sft/keyword_acc']).toBe(0.25);
  });

  it('sees loops and shrinking answers', () => {
    const m = sftCollapseMetrics(refs.map((r) => ({ response: 'I have more. I have more. I have more. I have more.', reference: r.a, keywords: [], ended: false })));
    expect(m['sft/loop_fraction']).toBe(1);
    expect(m['sft/keyword_acc']).toBeUndefined();
    const short = sftCollapseMetrics(refs.map((r) => ({ response: 'Yes.', reference: r.a, keywords: [r.k], ended: true })));
    expect(short['sft/length_ratio']).toBeLessThan(0.3);
  });
});

describe('template helpers', () => {
  it('prompts from the assistant marker and cuts at the end marker', () => {
    expect(promptText('Capital of France?')).toBe('Q: Capital of France?\nA: ');
    expect(responseFromContinuation('Paris.\nQ: more')).toEqual({ response: 'Paris.', ended: true });
    const chat = { system: '<|system|>\n', user: '<|user|>\n', assistant: '<|assistant|>\n', end: '<|end|>\n' };
    expect(responseFromContinuation('Paris.<|end|><|user|>', chat)).toEqual({ response: 'Paris.', ended: true });
    expect(responseFromContinuation('Paris and on')).toEqual({ response: 'Paris and on', ended: false });
  });
});
