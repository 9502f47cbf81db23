// The run-length overrides every entry point shares (`--steps`, `--scale`, the sweep's steps, Run baseline's length).
import { describe, expect, it } from 'vitest';
import { readBaselineConfig, resolveWithOverrides } from './config-input.ts';
import { ServiceError } from './errors.ts';

describe('resolveWithOverrides run length', () => {
  it('--steps rescales warmup, eval and checkpoint cadence with the steps', () => {
    const c = resolveWithOverrides(readBaselineConfig(), { steps: 100 });
    expect([c.train.steps, c.train.warmup_steps, c.eval.every, c.checkpoint.every]).toEqual([100, 5, 5, 25]);
  });

  it('--scale is the same change given as a factor', () => {
    expect(resolveWithOverrides(readBaselineConfig(), { scale: 0.05 })).toEqual(resolveWithOverrides(readBaselineConfig(), { steps: 100 }));
  });

  it('refuses both at once, and a scale that is not positive', () => {
    expect(() => resolveWithOverrides(readBaselineConfig(), { steps: 100, scale: 0.5 })).toThrow(ServiceError);
    expect(() => resolveWithOverrides(readBaselineConfig(), { scale: 0 })).toThrow(/scale must be a positive number/);
  });
});
