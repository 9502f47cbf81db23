// Leaf-level config diffs and the one-variable count/warning.
import { describe, expect, it } from 'vitest';
import { RunConfig } from '../config.ts';
import { countChanged, diffConfigs, flattenConfig, oneVariableWarning } from './diff.ts';

const base = RunConfig.parse({});
const withChanges = (patch: Parameters<typeof RunConfig.parse>[0]) => RunConfig.parse(patch);

describe('diffConfigs', () => {
  it('is empty for equal configs', () => {
    expect(diffConfigs(base, RunConfig.parse({}))).toEqual([]);
  });

  it('lists every changed leaf with from/to, in schema order', () => {
    const candidate = withChanges({ seed: 7, train: { lr: 3e-4, warmup_steps: 200, dispersion: { weight: 0.1 } }, model: { n_layer: 6 } });
    expect(diffConfigs(base, candidate)).toEqual([
      { path: 'seed', from: 1337, to: 7 },
      { path: 'model.n_layer', from: 4, to: 6 },
      { path: 'train.lr', from: 1e-3, to: 3e-4 },
      { path: 'train.warmup_steps', from: 100, to: 200 },
      { path: 'train.dispersion.weight', from: 0, to: 0.1 },
    ]);
  });

  it('reports leaves of an optional object present on one side only', () => {
    const moe = withChanges({ model: { moe: {} } });
    expect(diffConfigs(base, moe)).toEqual([
      { path: 'model.moe.experts', from: undefined, to: 4 },
      { path: 'model.moe.top_k', from: undefined, to: 2 },
    ]);
    expect(diffConfigs(moe, base).map((c) => [c.path, c.to])).toEqual([
      ['model.moe.experts', undefined],
      ['model.moe.top_k', undefined],
    ]);
  });

  it('compares union-typed leaves ("auto" vs a number)', () => {
    expect(diffConfigs(base, withChanges({ train: { micro_batch_size: 4 } }))).toEqual([
      { path: 'train.micro_batch_size', from: 'auto', to: 4 },
    ]);
  });

  it('flattens to one entry per leaf', () => {
    const leaves = flattenConfig(base);
    expect(leaves.get('train.lr')).toBe(1e-3);
    expect(leaves.get('train.dispersion.variant')).toBe('angular_spread');
    // null is a value (a family default such as model.mlp_hidden), not a group.
    expect([...leaves.keys()].every((k) => leaves.get(k) === null || typeof leaves.get(k) !== 'object')).toBe(true);
  });
});

describe('countChanged and the one-variable warning', () => {
  const lrAndSeed = diffConfigs(base, withChanges({ seed: 2, name: 'x', train: { lr: 3e-4 } }));
  const two = diffConfigs(base, withChanges({ train: { lr: 3e-4, warmup_steps: 200 } }));

  it('ignores seed and name by default', () => {
    expect(lrAndSeed).toHaveLength(3);
    expect(countChanged(lrAndSeed)).toBe(1);
    expect(countChanged(lrAndSeed, { ignore: [] })).toBe(3);
    expect(countChanged(two, { ignore: ['train'] })).toBe(0);
  });

  it('warns only when more than one variable changed, naming them and saying why', () => {
    expect(oneVariableWarning(lrAndSeed)).toBeNull();
    expect(oneVariableWarning([])).toBeNull();
    const warning = oneVariableWarning(two);
    expect(warning).toMatch(/^2 fields changed \(train\.lr, train\.warmup_steps\)/);
    expect(warning).toMatch(/Change one thing at a time/);
    expect(warning).toMatch(/cannot be attributed/);
  });
});
