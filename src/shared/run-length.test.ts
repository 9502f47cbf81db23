// One run-length change rescales warmup, eval and checkpoint cadence together, and counts as one change.
import { describe, expect, it } from 'vitest';
import { RunConfig } from './config.ts';
import { evalCount, scaledSteps, withRunLength } from './run-length.ts';
import { countChanged, diffConfigs, experimentalChanges, oneVariableWarning } from './ablation/diff.ts';
import { suggestRunName } from './ablation/naming.ts';
import { expandSweep } from './ablation/sweep.ts';
import { configWarnings } from './config-warnings.ts';

const recipe = RunConfig.parse({ train: { steps: 2000, warmup_steps: 100 }, eval: { every: 100 }, checkpoint: { every: 500 } });

describe('withRunLength', () => {
  it('keeps the warmup fraction and the number of evals and checkpoints', () => {
    const short = withRunLength(recipe, 100);
    expect(short.train).toMatchObject({ steps: 100, warmup_steps: 5, lr: recipe.train.lr, schedule: 'cosine' });
    expect(short.eval.every).toBe(5);
    expect(short.checkpoint.every).toBe(25);
    expect(evalCount(short)).toBe(evalCount(recipe));
    expect(RunConfig.safeParse(short).success).toBe(true);
    const long = withRunLength(recipe, 20_000);
    expect([long.train.warmup_steps, long.eval.every, long.checkpoint.every]).toEqual([1000, 1000, 5000]);
  });

  it('never goes below one step of cadence; warmup may round down to none', () => {
    const tiny = withRunLength(recipe, 3);
    expect([tiny.train.warmup_steps, tiny.eval.every, tiny.checkpoint.every]).toEqual([0, 1, 1]);
    expect(withRunLength({ ...recipe, train: { ...recipe.train, warmup_steps: 0 } }, 50).train.warmup_steps).toBe(0);
  });

  it('reads a scale as a fraction of the steps', () => {
    expect(scaledSteps(2000, 0.05)).toBe(100);
    expect(scaledSteps(2000, 0.0001)).toBe(1);
  });
});

describe('a run length is one change', () => {
  it('in the count, the one-variable rule and the run name', () => {
    const diff = diffConfigs(recipe, withRunLength(recipe, 100));
    expect(diff.map((c) => c.path).sort()).toEqual(['checkpoint.every', 'eval.every', 'train.steps', 'train.warmup_steps']);
    expect(experimentalChanges(diff).map((c) => c.path)).toEqual(['train.steps']);
    expect(countChanged(diff)).toBe(1);
    expect(oneVariableWarning(diff)).toBeNull();
    expect(suggestRunName(diff)).toBe('steps100');
  });

  it('but a warmup or cadence that does not follow the new length is a change of its own', () => {
    const scaled = withRunLength(recipe, 100);
    const diff = diffConfigs(recipe, { ...scaled, train: { ...scaled.train, warmup_steps: 10 } });
    expect(experimentalChanges(diff).map((c) => c.path)).toEqual(['train.steps', 'train.warmup_steps']);
    expect(suggestRunName(diff)).toBe('steps100-warmup10');
    // Only steps changed (warmup kept at 100): that is the silent break this guards against, and it is two changes' worth of warning.
    const raw = diffConfigs(recipe, { ...recipe, train: { ...recipe.train, steps: 100 } });
    expect(experimentalChanges(raw).map((c) => c.path)).toEqual(['train.steps']);
  });

  it('in a sweep over train.steps', () => {
    const sweep = expandSweep(recipe, { path: 'train.steps', values: [100, 400] }, 1);
    if (!sweep.ok) throw new Error(sweep.error);
    expect(sweep.runs.map((r) => r.name)).toEqual(['steps100-s1337', 'steps400-s1337']);
    expect(sweep.runs.map((r) => [r.config.train.warmup_steps, r.config.eval.every])).toEqual([[5, 5], [20, 20]]);
  });
});

describe('configWarnings', () => {
  const paths = (c: RunConfig): string[] => configWarnings(c).map((w) => w.path);

  it('is quiet on the recipe and on a rescaled short run', () => {
    expect(configWarnings(recipe)).toEqual([]);
    expect(configWarnings(withRunLength(recipe, 100))).toEqual([]);
  });

  it('warns when warmup takes ≥ 20% of the run and when fewer than 5 evals happen', () => {
    const short = RunConfig.parse({ ...recipe, train: { ...recipe.train, steps: 100, warmup_steps: 100 } });
    const w = configWarnings(short);
    expect(w.map((x) => x.path)).toEqual(['train.warmup_steps', 'eval.every']);
    expect(w[0].message).toMatch(/warmup is 100 of 100 steps \(100%\)/);
    expect(w[1].message).toMatch(/only 1 eval after step 0/);
    expect(paths(RunConfig.parse({ ...recipe, train: { ...recipe.train, steps: 500, warmup_steps: 99 } }))).toEqual([]);
    expect(paths(RunConfig.parse({ ...recipe, train: { ...recipe.train, steps: 500, warmup_steps: 100 } }))).toContain('train.warmup_steps');
  });

  it('warns (without blocking) when the LR is far outside the range its docs recommend', () => {
    const hot = RunConfig.parse({ ...recipe, train: { ...recipe.train, lr: 0.05 } });
    const w = configWarnings(hot).find((x) => x.path === 'train.lr');
    expect(w?.message).toMatch(/lr 0\.05 is far above the 3e-4–1e-3 recommended for a 0\.8\dM-parameter model/);
    const cold = RunConfig.parse({ ...recipe, train: { ...recipe.train, lr: 1e-5, min_lr: 1e-6 } });
    expect(configWarnings(cold).find((x) => x.path === 'train.lr')?.message).toMatch(/far below/);
    expect(paths(RunConfig.parse({ ...recipe, train: { ...recipe.train, lr: 2e-3 } }))).toEqual([]);
  });
});
