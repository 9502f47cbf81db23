// Plateau: the smoothed loss improving < 1% over 10% of the run; a warning in the first 20%, info later.
import { describe, expect, it } from 'vitest';
import { PlateauDetector } from './plateau.ts';
import { alertsOf, noise, testContext } from '../testing/helpers.ts';

describe('PlateauDetector', () => {
  it('a steadily improving curve is no plateau', () => {
    const ctx = testContext({}, 2000);
    const d = new PlateauDetector(ctx);
    const z = noise(7);
    for (let t = 0; t < 2000; t++) d.observe(t, (1.5 + 3 * Math.pow(1 + t / 50, -0.6)) * (1 + 0.02 * z()));
    expect(alertsOf(ctx).filter((a) => a.severity !== 'info')).toEqual([]);
  });

  it('an early stall is one warning (LR likely too low) spanning the flat stretch', () => {
    const ctx = testContext({}, 2000);
    const d = new PlateauDetector(ctx);
    const z = noise(8);
    const mu = (t: number): number => (t < 100 ? 5 - t / 50 : t < 700 ? 3 : 3 - (t - 700) / 1000);
    for (let t = 0; t < 2000; t++) d.observe(t, mu(t) * (1 + 0.02 * z()));
    const alerts = alertsOf(ctx);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'plateau', severity: 'warning' });
    expect(alerts[0].step).toBeGreaterThanOrEqual(50);
    expect(alerts[0].step).toBeLessThanOrEqual(250);
    expect(alerts[0].stepEnd).toBeGreaterThan(650);
    expect(alerts[0].evidence).toMatchObject({ early: true, window_steps: 200, threshold: 0.01 });
    expect(alerts[0].advice).toMatch(/learning rate is likely too low/);
  });

  it('a stall after an early overshoot is read as an LR too high', () => {
    const ctx = testContext({}, 300);
    ctx.instability = { step: 4, what: 'loss jump' };
    const d = new PlateauDetector(ctx);
    const z = noise(9);
    for (let t = 0; t < 300; t++) d.observe(t, 3.15 * (1 + 0.03 * z()));
    const alerts = alertsOf(ctx);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].advice).toMatch(/Stalled after the loss jump at step 4: the learning rate is likely too high/);
  });

  it('a late flattening is info', () => {
    const ctx = testContext({}, 2000);
    const d = new PlateauDetector(ctx);
    for (let t = 0; t < 2000; t++) d.observe(t, t < 1200 ? 4 - (2 * t) / 1200 : 2);
    expect(alertsOf(ctx).map((a) => a.severity)).toEqual(['info']);
  });
});
