// Spike detector on hand-made curves: mean + 6σ of the previous 128 values, classified recovered / not
// recovering / recurring, early overshoots, one alert per episode.
import { describe, expect, it } from 'vitest';
import { SpikeDetector } from './spike.ts';
import { alertsOf, noise, testContext } from '../testing/helpers.ts';

function flatLoss(n: number, seed = 1): number[] {
  const z = noise(seed);
  return Array.from({ length: n }, () => 2.5 * (1 + 0.01 * z()));
}

describe('SpikeDetector', () => {
  it('raises nothing on a noisy flat curve', () => {
    const ctx = testContext();
    const d = new SpikeDetector(ctx, 'loss_spike', 'train/loss');
    flatLoss(3000).forEach((v, t) => d.observe(t, v));
    expect(alertsOf(ctx)).toEqual([]);
  });

  it('classifies a spike that comes back within 100 steps as recovered (info), merged into one alert', () => {
    const ctx = testContext();
    const d = new SpikeDetector(ctx, 'loss_spike', 'train/loss');
    const v = flatLoss(600);
    v[300] = 4;
    v[301] = 3.5;
    v[302] = 3;
    v.forEach((x, t) => d.observe(t, x));
    const alerts = alertsOf(ctx);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'loss_spike', severity: 'info', step: 300, stepEnd: 303 });
    expect(alerts[0].evidence).toMatchObject({ classification: 'recovered', value: 4, peak: 4, window: 128 });
    expect(Number(alerts[0].evidence.sigma)).toBeGreaterThan(6);
    expect(alerts[0].message).toMatch(/spiked to 4 at step 300.*recovered by step 303/);
  });

  it('first reports a spike as pending, then as not recovering (warning) when the curve stays up', () => {
    const ctx = testContext();
    const d = new SpikeDetector(ctx, 'loss_spike', 'train/loss');
    const v = flatLoss(600);
    for (let t = 300; t < 600; t++) v[t] += 1;
    v.slice(0, 301).forEach((x, t) => d.observe(t, x));
    expect(ctx.sink.drain().map((a) => a.evidence.classification)).toEqual(['pending']);
    v.slice(301).forEach((x, i) => d.observe(301 + i, x));
    const alerts = alertsOf(ctx);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: 'warning', step: 300, stepEnd: 400 });
    expect(alerts[0].evidence.classification).toBe('not_recovering');
    expect(alerts[0].advice).toMatch(/Learning rate likely too high/);
  });

  it('calls three spikes at a constant interval recurring: a data problem', () => {
    const ctx = testContext();
    const d = new SpikeDetector(ctx, 'grad_spike', 'train/grad_norm');
    const v = flatLoss(1200).map((x) => x / 5);
    for (const s of [300, 550, 800]) v[s] = 3;
    v.forEach((x, t) => d.observe(t, x));
    const recurring = alertsOf(ctx).filter((a) => a.evidence.classification === 'recurring');
    expect(recurring).toHaveLength(1);
    expect(recurring[0]).toMatchObject({ kind: 'grad_spike', severity: 'warning', step: 300, stepEnd: 800 });
    expect(recurring[0].evidence).toMatchObject({ count: 3, period: 250, steps: '300,550,800' });
    expect(recurring[0].advice).toMatch(/systematic data problem/);
  });

  it('spikes at irregular intervals are not recurring', () => {
    const ctx = testContext();
    const d = new SpikeDetector(ctx, 'loss_spike', 'train/loss');
    const v = flatLoss(1200);
    for (const s of [300, 450, 900]) v[s] = 4;
    v.forEach((x, t) => d.observe(t, x));
    expect(alertsOf(ctx).map((a) => a.evidence.classification)).toEqual(['recovered', 'recovered', 'recovered']);
  });

  it('flags a loss jumping 25% above its lowest value in the first steps as a warning, once per episode', () => {
    const ctx = testContext();
    const d = new SpikeDetector(ctx, 'loss_spike', 'train/loss');
    // Measured on a d64 GPT at lr 0.05 without warmup: 5.53, 3.71, 3.43, then 4.69.
    [5.53, 3.71, 3.43, 4.69, 4.4, 4.2, 3.6, 3.4, 3.3].forEach((x, t) => d.observe(t + 1, x));
    const alerts = alertsOf(ctx);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'loss_spike', severity: 'warning', step: 4, stepEnd: 5 });
    expect(alerts[0].evidence).toMatchObject({ classification: 'early', running_min: 3.43, value: 4.69 });
    expect(ctx.instability).toEqual({ step: 4, what: 'loss jump' });
  });

  it('batch-noise in a tiny-batch run is not an overshoot, though it rises 25% over a lucky minimum', () => {
    // Measured: d64 GPT, batch 1 × 64 tokens, lr 1e-3, warmup 4 — steps 40 to 60 of a healthy run.
    const noisy = [3.59, 3.30, 3.58, 3.35, 3.17, 3.35, 3.71, 3.17, 3.15, 2.97, 3.20, 3.16, 3.08, 3.02, 3.37, 3.17, 3.09, 3.72, 3.81, 3.19, 3.55];
    const descent = [5.54, 5.47, 5.31, 5.15, 5.07, 4.96, 4.92, 4.76, 4.82, 4.56, 4.53, 4.40, 4.42, 4.43, 4.37, 4.15, 4.07, 4.05, 3.89, 3.86, 3.96, 3.67, 3.67, 3.71, 3.56, 3.52, 3.56, 3.59, 3.51, 3.82, 3.83, 3.31, 3.40, 3.30, 3.37, 3.46, 3.22, 3.23, 3.35];
    const ctx = testContext();
    const d = new SpikeDetector(ctx, 'loss_spike', 'train/loss');
    [...descent, ...noisy].forEach((x, t) => d.observe(t + 1, x));
    expect(alertsOf(ctx)).toEqual([]);
  });

  it('a healthy fast early descent is not an overshoot; spike_early_rel 0 turns the check off', () => {
    const fast = Array.from({ length: 60 }, (_, t) => 2.5 + 3 * Math.exp(-t / 10) + 0.05 * Math.sin(t));
    const ctx = testContext();
    const d = new SpikeDetector(ctx, 'loss_spike', 'train/loss');
    fast.forEach((x, t) => d.observe(t, x));
    expect(alertsOf(ctx)).toEqual([]);
    const off = testContext({ spike_early_rel: 0 });
    const d2 = new SpikeDetector(off, 'loss_spike', 'train/loss');
    [5.53, 3.71, 3.43, 4.69].forEach((x, t) => d2.observe(t + 1, x));
    expect(alertsOf(off)).toEqual([]);
  });

  it('thresholds come from the run config (spike_sigma)', () => {
    const v = flatLoss(400);
    v[300] = 2.5 * 1.07; // ≈ 7σ of 1% noise: a spike at 6σ, not at 10σ.
    for (const [sigma, n] of [[6, 1], [10, 0]] as const) {
      const ctx = testContext({ spike_sigma: sigma, spike_min_rel: 0 });
      const d = new SpikeDetector(ctx, 'loss_spike', 'train/loss');
      v.forEach((x, t) => d.observe(t, x));
      expect(alertsOf(ctx)).toHaveLength(n);
    }
  });
});
