// Clip saturation: clipped on > 50% of the last 100 steps with the norm well above the clip, judged only after
// warmup and clip_skip — healthy runs clip a lot while the norm settles, and small models hover at the clip.
import { describe, expect, it } from 'vitest';
import { ClipSaturationDetector } from './clip.ts';
import { alertsOf, noise, testContext } from '../testing/helpers.ts';
import type { DetectorContext } from './context.ts';

/** Feeds lr, grad norm and clipped flag per step, as the monitor does (lr, then norm, then flag). */
function feed(ctx: DetectorContext, lr: (t: number) => number, norm: (t: number) => number, n: number, clip = 1): ClipSaturationDetector {
  const d = new ClipSaturationDetector(ctx);
  for (let t = 1; t <= n; t++) {
    const g = norm(t);
    d.observeLr(t, lr(t));
    d.observeNorm(t, g);
    d.observe(t, g > clip ? 1 : 0);
  }
  return d;
}

const warmupCosine = (warmup: number, n: number) => (t: number): number =>
  t <= warmup ? (1e-3 * t) / warmup : 1e-4 + 0.45e-3 * (1 + Math.cos((Math.PI * (t - warmup)) / (n - warmup)));

describe('ClipSaturationDetector', () => {
  it('a sustained norm of 3× the clip after warmup is saturation: one warning over the whole stretch', () => {
    const ctx = testContext({}, 1000);
    const z = noise(3);
    feed(ctx, warmupCosine(50, 1000), (t) => (t < 400 ? 0.4 : 3) * Math.exp(0.1 * z()), 1000);
    const alerts = alertsOf(ctx);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'clip_saturation', severity: 'warning', stepEnd: 1000 });
    expect(alerts[0].step).toBeGreaterThan(300);
    expect(alerts[0].step).toBeLessThanOrEqual(400);
    expect(Number(alerts[0].evidence.median_grad_norm)).toBeGreaterThan(2.5);
    expect(alerts[0].advice).toMatch(/Learning rate too high or an unstable architecture/);
  });

  it('the default-baseline shape raises nothing: clipped through warmup, then a norm hovering at the clip', () => {
    // Measured on the 300-step baseline: grad norm 3.0 at step 10, 1.5 at 50, then ≈ 0.85–1.2 (clipped ~50%).
    const ctx = testContext({}, 300);
    const z = noise(4);
    feed(ctx, warmupCosine(100, 300), (t) => (0.95 + 2.5 * Math.exp(-t / 30)) * Math.exp(0.15 * z()), 300);
    expect(alertsOf(ctx)).toEqual([]);
  });

  it('without the magnitude check (clip_min_ratio 0) the same hovering run is flagged, as DESIGN words it', () => {
    const ctx = testContext({ clip_min_ratio: 0 }, 400);
    const z = noise(5);
    feed(ctx, warmupCosine(20, 400), () => 1.05 * Math.exp(0.1 * z()), 400);
    expect(alertsOf(ctx).map((a) => a.kind)).toEqual(['clip_saturation']);
  });

  it('nothing is judged while the learning rate still rises, even at 100% clipping', () => {
    const ctx = testContext({}, 1000);
    feed(ctx, (t) => 1e-6 * t, () => 5, 500);
    expect(alertsOf(ctx)).toEqual([]);
  });

  it('a norm creeping to 2.5× the clip while the loss keeps falling is info; the same with a stalled loss warns', () => {
    const run = (loss: (t: number) => number): ReturnType<typeof alertsOf> => {
      const ctx = testContext({}, 2000);
      const z = noise(7);
      const lr = warmupCosine(100, 2000);
      const d = new ClipSaturationDetector(ctx);
      for (let t = 1; t <= 2000; t++) {
        const g = (1.1 + (1.4 * t) / 2000) * Math.exp(0.1 * z());
        d.observeLoss(t, loss(t) * Math.exp(0.02 * z()));
        d.observeLr(t, lr(t));
        d.observeNorm(t, g);
        d.observe(t, g > 1 ? 1 : 0);
      }
      return alertsOf(ctx);
    };
    const falling = run((t) => 1.8 + 3.7 * Math.exp(-t / 300));
    expect(falling.map((a) => [a.kind, a.severity])).toEqual([['clip_saturation', 'info']]);
    expect(falling[0].advice).toMatch(/loss keeps falling/);
    const stalled = run((t) => (t < 300 ? 1.8 + 3.7 * Math.exp(-t / 300) : 1.8 + 3.7 * Math.exp(-1)));
    expect(stalled.map((a) => [a.kind, a.severity])).toEqual([['clip_saturation', 'warning']]);
    expect(Number(stalled[0].evidence['loss_progress'])).toBeLessThan(0.01);
  });
});
