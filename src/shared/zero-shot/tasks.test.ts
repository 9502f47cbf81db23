// Task files → (context, choices, label) as lm-evaluation-harness builds them, and acc / acc_norm.
import { describe, expect, it } from 'vitest';
import { accuracy, byteLength, hellaswagPreprocess, parseTaskFile } from './tasks.ts';

describe('parseTaskFile', () => {
  it('reads hellaswag rows with the harness preprocessing', () => {
    const row = { activity_label: 'Removing ice from car', ctx_a: 'Then, the man writes over the snow.', ctx_b: 'then', endings: ['a [title] b', 'c  d', 'e', 'f'], label: '3' };
    const { items, skipped } = parseTaskFile('hellaswag', `${JSON.stringify(row)}\n\n`);
    expect(skipped).toEqual([]);
    expect(items).toEqual([{ context: 'Removing ice from car: Then, the man writes over the snow. Then', choices: [' a. b', ' c d', ' e', ' f'], label: 3 }]);
    expect(hellaswagPreprocess(' x [header] y ')).toBe('x y');
  });

  it('reads arc, piqa and the generic mc form, and skips bad rows with a reason', () => {
    const arc = parseTaskFile('arc', JSON.stringify({ question: 'Q?', choices: { text: ['a', 'b'], label: ['A', 'B'] }, answerKey: 'B' }));
    expect(arc.items).toEqual([{ context: 'Question: Q?\nAnswer:', choices: [' a', ' b'], label: 1 }]);
    const piqa = parseTaskFile('piqa', JSON.stringify({ goal: 'G', sol1: 's1', sol2: 's2', label: 0 }));
    expect(piqa.items[0]).toEqual({ context: 'Question: G\nAnswer:', choices: [' s1', ' s2'], label: 0 });
    const mc = parseTaskFile('mc', [JSON.stringify({ context: 'c', choices: ['x', 'y'], label: 1 }), '{oops', JSON.stringify({ context: 'c', choices: ['x'], label: 0 }), JSON.stringify({ context: 'c', choices: ['x', 'y'], label: 2 })].join('\n'));
    expect(mc.items).toHaveLength(1);
    expect(mc.skipped).toEqual([
      { line: 2, reason: 'not JSON' },
      { line: 3, reason: 'needs context and at least 2 choices' },
      { line: 4, reason: 'label 2 is not an index into choices' },
    ]);
  });
});

describe('accuracy', () => {
  it('scores acc on summed log-likelihood and acc_norm per UTF-8 byte', () => {
    // Choice 1 is likelier in total, choice 0 per byte.
    const r = accuracy([{ logliks: [-4, -3], bytes: [8, 2], label: 0 }, { logliks: [-1, -2], bytes: [1, 1], label: 0 }]);
    expect(r).toEqual({ n: 2, acc: 0.5, acc_norm: 1 });
    expect(accuracy([{ logliks: [-4, -3], bytes: [8, 2], label: 1 }])).toEqual({ n: 1, acc: 1, acc_norm: 0 });
    expect(byteLength(' é')).toBe(3);
  });
});
