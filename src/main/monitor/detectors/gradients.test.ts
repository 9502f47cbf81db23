// Gradient explosion (> 10× running median) and collapse (< 1e-3 × early median for 50 steps) on hand-made curves.
import { describe, expect, it } from 'vitest';
import { CollapseDetector, ExplosionDetector } from './gradients.ts';
import { alertsOf, noise, testContext } from '../testing/helpers.ts';

function norms(n: number, level = 0.5, seed = 2): number[] {
  const z = noise(seed);
  return Array.from({ length: n }, () => level * Math.exp(0.2 * z()));
}

describe('ExplosionDetector', () => {
  it('raises one warning for a burst of steps above 10× the running median, with the peak as evidence', () => {
    const ctx = testContext();
    const d = new ExplosionDetector(ctx);
    const g = norms(800);
    for (let t = 400; t < 405; t++) g[t] = 12 + t - 400;
    g.forEach((v, t) => d.observe(t, v));
    const alerts = alertsOf(ctx);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'grad_explosion', severity: 'warning', step: 400, stepEnd: 404 });
    expect(alerts[0].evidence).toMatchObject({ peak: 16, peak_step: 404, steps_above: 5, factor: 10 });
    expect(Number(alerts[0].evidence.ratio)).toBeGreaterThan(10);
    expect(alerts[0].advice).toMatch(/Learning rate likely too high/);
    expect(ctx.instability).toEqual({ step: 400, what: 'gradient explosion' });
  });

  it('ignores 5× bumps and separates explosions far apart into two alerts', () => {
    const ctx = testContext();
    const d = new ExplosionDetector(ctx);
    const g = norms(1000);
    g[300] = 2.5;
    g[500] = 20;
    g[800] = 20;
    g.forEach((v, t) => d.observe(t, v));
    expect(alertsOf(ctx).map((a) => a.step)).toEqual([500, 800]);
  });

  it('uses explosion_factor from the config', () => {
    const ctx = testContext({ explosion_factor: 4 });
    const d = new ExplosionDetector(ctx);
    const g = norms(400);
    g[300] = 2.5;
    g.forEach((v, t) => d.observe(t, v));
    expect(alertsOf(ctx).map((a) => a.step)).toEqual([300]);
  });
});

describe('CollapseDetector', () => {
  it('warns once the norm has stayed under 1e-3 × its early median for 50 steps, and extends the episode', () => {
    const ctx = testContext();
    const d = new CollapseDetector(ctx);
    const g = norms(600);
    for (let t = 300; t < 600; t++) g[t] = 1e-5;
    g.forEach((v, t) => d.observe(t, v));
    const alerts = alertsOf(ctx);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'grad_collapse', severity: 'warning', step: 300, stepEnd: 599 });
    expect(alerts[0].evidence).toMatchObject({ factor: 0.001, steps: 300 });
    expect(alerts[0].message).toMatch(/stopped learning/);
  });

  it('49 steps of tiny norms, or a norm merely 100× smaller, is not a collapse', () => {
    const ctx = testContext();
    const d = new CollapseDetector(ctx);
    const g = norms(600);
    for (let t = 200; t < 249; t++) g[t] = 1e-6;
    for (let t = 300; t < 600; t++) g[t] = 5e-3;
    g.forEach((v, t) => d.observe(t, v));
    expect(alertsOf(ctx)).toEqual([]);
  });
});
