// The editor's view model on real configs: text → review, issues with paths and lines, readout, sweep plans.
import { describe, expect, it } from 'vitest';
import { stringifyConfig } from '../../../shared/config-yaml.ts';
import { formatParamCount } from '../../../shared/ablation/index.ts';
import { baselineConfig, budgetReadout, defaultConfig, evaluateCandidate, formatChangeValue, issueMessage, planSweep, readout, setRunLengthText, sweepableFields, sweepFromChanges } from './editor-model.ts';
import { formatCompactNumber } from '../../../shared/ablation/index.ts';

const base = defaultConfig();
const baseText = stringifyConfig(base);

describe('evaluateCandidate', () => {
  it('finds no change in the unedited baseline text', () => {
    const r = evaluateCandidate(base, baseText);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.review.changedCount).toBe(0);
    expect(r.review.warning).toBeNull();
    expect(r.review.suggestedName).toBe('baseline');
  });

  it('counts one changed field, names the run after it and does not warn', () => {
    const r = evaluateCandidate(base, baseText.replace(/^(\s+)lr: 0\.001$/m, '$1lr: 0.0003'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.review.changes).toEqual([{ path: 'train.lr', from: 0.001, to: 0.0003 }]);
    expect(r.review.changedCount).toBe(1);
    expect(r.review.warning).toBeNull();
    expect(r.review.suggestedName).toBe('lr3e-4');
  });

  it('warns when two fields changed, but not for a seed change', () => {
    const two = baseText.replace(/^(\s+)lr: 0\.001$/m, '$1lr: 0.0003').replace(/^(\s+)warmup_steps: 100$/m, '$1warmup_steps: 200');
    const r = evaluateCandidate(base, two.replace(/^seed: 1337$/m, 'seed: 7'));
    expect(r.ok && r.review.changedCount).toBe(2);
    expect(r.ok && r.review.warning).toMatch(/2 fields changed \(train\.lr, train\.warmup_steps\)/);
    expect(r.ok && r.review.suggestedName).toBe('lr3e-4-warmup200');
    const seedOnly = evaluateCandidate(base, baseText.replace(/^seed: 1337$/m, 'seed: 7'));
    expect(seedOnly.ok && seedOnly.review.changedCount).toBe(0);
  });

  it('locates a bad value by field path and line', () => {
    const text = baseText.replace(/^(\s+)lr: 0\.001$/m, '$1lr: -1');
    const line = text.split('\n').findIndex((l) => /^\s+lr: -1$/.test(l)) + 1;
    const r = evaluateCandidate(base, text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const issue = r.issues.find((i) => i.path === 'train.lr');
    expect(issue?.line).toBe(line);
    expect(issueMessage(issue!)).toMatch(/^train\.lr: /);
  });

  it('reports a cross-field rule JSON Schema cannot express, and YAML syntax errors with a line', () => {
    const r = evaluateCandidate(base, baseText.replace(/^(\s+)lr: 0\.001$/m, '$1lr: 0.00001'));
    expect(!r.ok && r.issues.some((i) => i.path === 'train.min_lr' && /must not exceed lr/.test(i.message))).toBe(true);
    const broken = evaluateCandidate(base, 'train:\n  lr: [1, 2\n');
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.issues[0].line).toBeGreaterThan(0);
  });
});

describe('readout', () => {
  it('shows the √-rule LR only when tokens per update changed', () => {
    const same = evaluateCandidate(base, baseText);
    expect(same.ok && readout(same.review, base.train.lr).map((l) => l.label)).toEqual(['Parameters', 'Tokens / update']);
    const quad = evaluateCandidate(base, baseText.replace(/^(\s+)batch_size: 12$/m, '$1batch_size: 48'));
    expect(quad.ok).toBe(true);
    if (!quad.ok) return;
    const lines = readout(quad.review, base.train.lr);
    const tokens = lines.find((l) => l.label === 'Tokens / update')!;
    expect(tokens.value).toBe((48 * 64).toLocaleString('en-US'));
    expect(tokens.base).toBe((12 * 64).toLocaleString('en-US'));
    // 4× the tokens per update → 2× the LR.
    expect(lines.find((l) => l.label === '√-rule LR')?.value).toBe('2e-3');
  });

  it('shows the parameter count, and the baseline one when the model changed', () => {
    const wider = evaluateCandidate(base, baseText.replace(/^(\s+)n_layer: 4$/m, '$1n_layer: 6'));
    expect(wider.ok).toBe(true);
    if (!wider.ok) return;
    const params = readout(wider.review, base.train.lr)[0];
    expect(params.base).not.toBeNull();
    expect(params.value).not.toBe(params.base);
  });

  it('shows a mixture of experts with its active parameters beside the total', () => {
    const moe = evaluateCandidate(base, baseText.replace(/^(\s+)n_layer: 4$/m, '$1n_layer: 4\n$1moe: { experts: 4, top_k: 2 }'));
    expect(moe.ok).toBe(true);
    if (!moe.ok || !moe.review.params.ok) return;
    const { total, active } = moe.review.params;
    expect(active).toBeLessThan(total);
    expect(readout(moe.review, base.train.lr)[0]!.value).toBe(`${formatParamCount(total)} (${formatParamCount(active)} active)`);
  });
});

describe('sweep launcher', () => {
  it('offers every leaf but name and seed', () => {
    const fields = sweepableFields().map((f) => f.path);
    expect(fields).toContain('train.lr');
    expect(fields).not.toContain('seed');
    expect(fields).not.toContain('name');
  });

  it('suggests sweeping the one changed field over its old and new value', () => {
    expect(sweepFromChanges([{ path: 'train.lr', from: 0.001, to: 0.0003 }, { path: 'seed', from: 1, to: 2 }])).toEqual({ field: 'train.lr', values: '1e-3, 3e-4' });
    expect(sweepFromChanges([{ path: 'train.lr', from: 0.001, to: 0.0003 }, { path: 'train.warmup_steps', from: 100, to: 200 }])).toBeNull();
  });

  it('plans values × seeds runs in one named group', () => {
    const r = planSweep(base, 'train.lr', '1e-3, 3e-4', 2, '');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plan.groupName).toBe('sweep-lr');
    expect(r.plan.vary.values).toEqual([0.001, 0.0003]);
    // The names the sweep request will queue (a value equal to the base is named for its value too).
    expect(r.plan.runNames).toEqual(['lr1e-3-s1337', 'lr1e-3-s1338', 'lr3e-4-s1337', 'lr3e-4-s1338']);
    const named = planSweep(base, 'train.lr', '1e-3', 1, '  my lr sweep ');
    expect(named.ok && named.plan.groupName).toBe('my lr sweep');
  });

  it('refuses bad values, unknown fields and bad seed counts with one line', () => {
    expect(planSweep(base, 'train.lr', 'abc', 3, '')).toMatchObject({ ok: false, error: expect.stringMatching(/"abc" is not valid/) });
    expect(planSweep(base, 'train.lrr', '1', 3, '')).toMatchObject({ ok: false, error: expect.stringMatching(/did you mean "train\.lr"/) });
    expect(planSweep(base, 'train.lr', '1e-5', 3, '')).toMatchObject({ ok: false, error: expect.stringMatching(/min_lr/) });
    expect(planSweep(base, 'train.lr', '1e-3', 0, '')).toMatchObject({ ok: false, error: expect.stringMatching(/seeds/) });
    expect(planSweep(base, '', '1', 3, '')).toMatchObject({ ok: false });
  });
});

describe('helpers', () => {
  it('formats change values and validates stored baselines', () => {
    expect(formatChangeValue(0.0003)).toBe('3e-4');
    expect(formatChangeValue(undefined)).toBe('unset');
    expect(formatChangeValue('cosine')).toBe('cosine');
    expect(formatChangeValue({ experts: 4 })).toBe('{"experts":4}');
    expect(baselineConfig({ train: { lr: 0.002 } })).toMatchObject({ ok: true, config: { train: { lr: 0.002 } } });
    expect(baselineConfig({ train: { lr: 'x' } })).toMatchObject({ ok: false, error: expect.stringMatching(/train\.lr/) });
  });
});

describe('run length in the editor', () => {
  it('sets steps and rescales warmup, eval and checkpoint cadence in place, one change in the review', () => {
    const base = defaultConfig();
    const text = `# my recipe\n${stringifyConfig(base)}`;
    const next = setRunLengthText(text, 100);
    expect(next).not.toBeNull();
    expect(next!.startsWith('# my recipe\n')).toBe(true);
    const review = evaluateCandidate(base, next!);
    if (!review.ok) throw new Error('invalid');
    expect([review.config.train.steps, review.config.train.warmup_steps, review.config.eval.every, review.config.checkpoint.every]).toEqual([100, 5, 5, 25]);
    expect(review.review.changedCount).toBe(1);
    expect(review.review.suggestedName).toBe('steps100');
    expect(setRunLengthText('train: [broken', 100)).toBeNull();
  });

  it('repairs steps edited alone: followers still at the baseline value are rescaled from the baseline length', () => {
    const base = defaultConfig();
    const stepsOnly = stringifyConfig({ ...base, train: { ...base.train, steps: 100 } });
    const fixed = setRunLengthText(stepsOnly, 100, base)!;
    const r = evaluateCandidate(base, fixed);
    if (!r.ok) throw new Error('invalid');
    expect([r.config.train.warmup_steps, r.config.eval.every, r.config.checkpoint.every]).toEqual([5, 5, 25]);
    // A warmup the user set by hand follows the current length instead.
    const handSet = stringifyConfig({ ...base, train: { ...base.train, steps: 1000, warmup_steps: 10 } });
    const halved = evaluateCandidate(base, setRunLengthText(handSet, 500, base)!);
    expect(halved.ok && halved.config.train.warmup_steps).toBe(5);
  });

  it('reads out total tokens, FLOPs and a duration from past runs', () => {
    const config = defaultConfig();
    const none = budgetReadout(config, []);
    expect(none.map((l) => l.label)).toEqual(['Total tokens', 'Training FLOPs', 'Est. duration']);
    expect(none[0].value).toBe(formatCompactNumber(config.train.steps * config.train.batch_size * config.model.block_size));
    expect(none[2].value).toBe('—');
    const withPast = budgetReadout(config, [{ status: 'finished', params: 1e6, tokensPerS: 5000, backend: 'wasm', endedAt: 1 }]);
    expect(withPast[2].value).toMatch(/^≈ \d+(\.\d)? (s|min|h)$/);
    expect(withPast[2].hint).toMatch(/last 1 finished run on this machine \(wasm\)/);
  });
});
