// The run monitor: episodes merged into one alert (updated by id, not repeated each step), the same alerts
// however the live stream is batched or the store orders a step's keys, and old stored configs.
import { describe, expect, it } from 'vitest';
import { AlertsConfig } from '../../shared/config.ts';
import type { Alert } from '../../shared/alerts.ts';
import type { MetricPoint } from '../../shared/metrics.ts';
import { createRunMonitor, monitorOptions, recomputeAlerts } from './monitor.ts';
import { syntheticCurve } from './testing/synthetic.ts';

const cfg = AlertsConfig.parse({});
const strip = (alerts: Alert[]): Alert[] => alerts.map((a) => ({ ...a })).sort((a, b) => (a.id ?? '').localeCompare(b.id ?? ''));

function live(points: readonly MetricPoint[], batch: number, plannedSteps: number): { changes: Alert[][]; final: Alert[] } {
  const m = createRunMonitor(cfg, { plannedSteps, gradClip: 1 });
  const changes: Alert[][] = [];
  for (let i = 0; i < points.length; i += batch) changes.push(m.observe(points.slice(i, i + batch)));
  return { changes, final: m.alerts() };
}

describe('createRunMonitor', () => {
  it('merges an episode: a plateau is one alert whose stepEnd grows, reported again only when it changes', () => {
    const c = syntheticCurve('plateau_early', 3);
    const { changes, final } = live(c.points, 40, c.plannedSteps);
    const plateaus = final.filter((a) => a.kind === 'plateau');
    expect(plateaus.length).toBe(1);
    const updates = changes.flat().filter((a) => a.id === plateaus[0].id);
    expect(updates.length).toBeGreaterThan(1);
    expect(new Set(updates.map((a) => a.step)).size).toBe(1);
    // Each batch hands back the latest version once, never one copy per step.
    for (const batch of changes) expect(new Set(batch.map((a) => a.id)).size).toBe(batch.length);
  });

  it('gives the same alerts batched live (any batch size) as recomputed over stored points in key order', () => {
    for (const scenario of ['loss_spike_recurring', 'clip_saturation', 'overfitting_rising', 'non_finite_grad', 'response_collapse'] as const) {
      const c = syntheticCurve(scenario, 11);
      // The store reads a run back by step, then key name: train/clipped before train/grad_norm before train/lr.
      const stored = [...c.points].sort((a, b) => a.step - b.step || a.key.localeCompare(b.key));
      const expected = strip(recomputeAlerts(cfg, { plannedSteps: c.plannedSteps, gradClip: 1 }, stored));
      expect(expected.length).toBeGreaterThan(0);
      for (const batch of [1, 7, 250]) expect(strip(live(c.points, batch, c.plannedSteps).final)).toEqual(expected);
    }
  });

  it('fills thresholds a stored config predates with their defaults', () => {
    const { spike_early_rel: _dropped, ...old } = cfg;
    const points: MetricPoint[] = [5.53, 3.71, 3.43, 4.69].map((value, i) => ({ step: i + 1, key: 'train/loss', value }));
    const alerts = recomputeAlerts(old as AlertsConfig, { plannedSteps: 120 }, points);
    expect(alerts.map((a) => `${a.kind}:${a.evidence.classification}`)).toEqual(['loss_spike:early']);
  });

  it('judges the overfitting gap on train/ce (what val/loss measures), not on an objective inflated by label smoothing', () => {
    // The objective (train/loss) sits 0.7 above the plain cross-entropy; val/loss is 0.6 above the cross-entropy.
    const points: MetricPoint[] = [];
    for (let step = 1; step <= 100; step++) {
      points.push({ step, key: 'train/ce', value: 1 }, { step, key: 'train/loss', value: 1.7 });
      if (step % 20 === 0) points.push({ step, key: 'val/loss', value: 1.6 });
    }
    const kinds = (ps: MetricPoint[]): string[] => recomputeAlerts(cfg, { plannedSteps: 100 }, ps).map((a) => a.kind);
    expect(kinds(points)).toContain('overfitting');
    // A run recorded without train/ce falls back to train/loss: here 0.1 above val, no gap.
    expect(kinds(points.filter((p) => p.key !== 'train/ce'))).not.toContain('overfitting');
  });

  it('reads its options from the run config', () => {
    expect(monitorOptions({ train: { steps: 300, grad_clip: 0.5 } })).toEqual({ plannedSteps: 300, gradClip: 0.5 });
  });
});
