// Names for unnamed runs: the config's changes against the baseline, or its own name when it has one.
import { describe, expect, it } from 'vitest';
import { RunConfig } from '../../shared/config.ts';
import { readBaselineConfig, resolveWithOverrides } from './config-input.ts';
import { hypothesisName } from './run-naming.ts';

describe('hypothesisName', () => {
  const recipe = resolveWithOverrides(readBaselineConfig());

  it('names an unnamed config by what it changes against the bundled baseline recipe', () => {
    const input = { ...recipe, name: undefined, train: { ...recipe.train, lr: recipe.train.lr / 2, warmup_steps: recipe.train.warmup_steps + 1 } };
    const config = RunConfig.parse(input);
    expect(hypothesisName(input, config)).toMatch(/^lr[0-9.e-]+-warmup\d+$/);
    expect(hypothesisName({ ...input, name: 'run' }, config)).toMatch(/^lr/);
  });

  it('keeps a name the config gives, and says "baseline" when nothing experimental differs', () => {
    expect(hypothesisName({ name: 'mine' }, RunConfig.parse({ name: 'mine' }))).toBeUndefined();
    const same = { ...recipe, name: undefined, seed: recipe.seed + 1 };
    expect(hypothesisName(same, RunConfig.parse(same))).toBe('baseline');
  });

  it('diffs against a given baseline run\'s config instead of the recipe', () => {
    const base = RunConfig.parse({ model: { d_model: 64, n_head: 2 } });
    const input = { model: { d_model: 64, n_head: 2, mlp_hidden: 512 } };
    expect(hypothesisName(input, RunConfig.parse(input), base)).toBe('mlp512');
  });
});
