// Scores the monitor on the seeded, labelled synthetic set (synthetic.ts): recall ≥ 0.95 for every alert kind
// and spike classification, and at most 1 false warning per 10,000 healthy steps.
import { describe, expect, it } from 'vitest';
import { AlertsConfig } from '../../shared/config.ts';
import { recomputeAlerts } from './monitor.ts';
import { healthySteps, matchesExpected, syntheticSet } from './testing/synthetic.ts';

/** The set's seed: change it to draw a fresh set; the thresholds must hold for any. */
const SET_SEED = 20261201;
const PER_SCENARIO = 24;

describe('monitor on the labelled synthetic set', () => {
  const cfg = AlertsConfig.parse({});
  const curves = syntheticSet(SET_SEED, PER_SCENARIO);
  const results = curves.map((c) => ({ c, alerts: recomputeAlerts(cfg, { plannedSteps: c.plannedSteps, gradClip: 1 }, c.points) }));

  it('finds ≥ 95% of the injected problems of every kind', () => {
    const byLabel = new Map<string, { hit: number; total: number }>();
    for (const { c, alerts } of results) {
      for (const exp of c.expected) {
        const label = exp.classification ? `${exp.kind}/${exp.classification}` : `${exp.kind}/${exp.severity}`;
        const r = byLabel.get(label) ?? { hit: 0, total: 0 };
        r.total++;
        if (alerts.some((a) => matchesExpected(a, exp))) r.hit++;
        byLabel.set(label, r);
      }
    }
    const recall = Object.fromEntries([...byLabel].map(([k, r]) => [k, r.hit / r.total]));
    console.log('recall by kind:', recall);
    expect(Object.keys(recall).length).toBeGreaterThanOrEqual(12);
    for (const [label, r] of Object.entries(recall)) expect(r, label).toBeGreaterThanOrEqual(0.95);
  });

  it('raises at most 1 false warning per 10,000 healthy steps', () => {
    let steps = 0;
    const falseWarnings: string[] = [];
    for (const { c, alerts } of results) {
      const healthy = healthySteps(c);
      steps += healthy;
      for (const a of alerts) {
        if (a.severity === 'info' || (a.stepEnd ?? a.step) >= healthy) continue;
        if (!c.expected.some((e) => matchesExpected(a, e))) falseWarnings.push(`${c.scenario}#${c.seed}: ${a.kind} at ${a.step}`);
      }
    }
    const rate = (falseWarnings.length / steps) * 10_000;
    console.log(`false warnings: ${falseWarnings.length} over ${steps} healthy steps = ${rate.toFixed(3)} per 10k`, falseWarnings);
    expect(steps).toBeGreaterThan(500_000);
    expect(rate).toBeLessThanOrEqual(1);
  });
});
