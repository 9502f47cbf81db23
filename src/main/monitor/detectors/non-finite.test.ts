// Non-finite loss or gradient: an error alert; NaN/Inf on several keys at adjacent steps is one episode.
import { describe, expect, it } from 'vitest';
import { NonFiniteDetector } from './non-finite.ts';
import { alertsOf, testContext } from '../testing/helpers.ts';

const keys = ['train/loss', 'train/grad_norm', 'val/loss'];

describe('NonFiniteDetector', () => {
  it('merges an Inf grad norm then NaN losses on the next steps into one error, naming the first value', () => {
    const ctx = testContext();
    const d = new NonFiniteDetector(ctx, keys);
    d.observe(812, 'train/grad_norm', Infinity);
    d.observe(813, 'train/loss', NaN);
    d.observe(813, 'train/grad_norm', NaN);
    const alerts = alertsOf(ctx);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'non_finite', severity: 'error', step: 812, stepEnd: 813 });
    expect(alerts[0].evidence).toMatchObject({ first_step: 812, last_step: 813, points: 3, 'train/loss': 'NaN', 'train/grad_norm': 'Infinity' });
    expect(alerts[0].message).toMatch(/Training loss became NaN at step 812 \(gradient norm too\)/);
    expect(alerts[0].advice).toMatch(/pauses at its last good checkpoint/);
  });

  it('non-finite values far apart are separate episodes', () => {
    const ctx = testContext();
    const d = new NonFiniteDetector(ctx, keys);
    d.observe(10, 'val/loss', NaN);
    d.observe(500, 'train/loss', NaN);
    expect(alertsOf(ctx).map((a) => a.step)).toEqual([10, 500]);
  });
});
