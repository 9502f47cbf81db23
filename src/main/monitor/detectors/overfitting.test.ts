// Overfitting: val − smoothed train > 0.5 nats, or val rising for 3 evals while train falls.
import { describe, expect, it } from 'vitest';
import { OverfittingDetector } from './overfitting.ts';
import { alertsOf, testContext } from '../testing/helpers.ts';

describe('OverfittingDetector', () => {
  it('flags a val/train gap above 0.5 nats and points at the best checkpoint', () => {
    const ctx = testContext();
    const d = new OverfittingDetector(ctx);
    for (let t = 1; t <= 1000; t++) {
      d.observeTrain(t, 3 - (2 * t) / 1000);
      if (t % 100 === 0) d.observeVal(t, Math.max(2.2, 3.05 - (2 * t) / 1000));
    }
    const alerts = alertsOf(ctx);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'overfitting', severity: 'warning' });
    expect(alerts[0].evidence.trigger).toMatch(/gap/);
    expect(Number(alerts[0].evidence.gap)).toBeGreaterThan(0.5);
    expect(alerts[0].advice).toMatch(/stop early.*best validation loss was 2.2/);
  });

  it('flags val rising for 3 evals in a row while train falls, though the gap is small', () => {
    const ctx = testContext();
    const d = new OverfittingDetector(ctx);
    const val = [2.5, 2.4, 2.35, 2.38, 2.42, 2.47];
    for (let t = 1; t <= 600; t++) {
      d.observeTrain(t, 2.6 - t / 2000);
      if (t % 100 === 0) d.observeVal(t, val[t / 100 - 1]);
    }
    const alerts = alertsOf(ctx);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ step: 600 });
    expect(alerts[0].evidence).toMatchObject({ trigger: 'rising', rising_evals: 3, best_val: 2.35, best_val_step: 300 });
  });

  it('val noise and val tracking train raise nothing; a val point that arrives before its train step waits', () => {
    const ctx = testContext();
    const d = new OverfittingDetector(ctx);
    for (let t = 1; t <= 1000; t++) {
      if (t % 100 === 0) d.observeVal(t, 2.6 - t / 2000 + 0.05 + (t % 200 === 0 ? 0.01 : -0.01));
      d.observeTrain(t, 2.6 - t / 2000);
    }
    expect(alertsOf(ctx)).toEqual([]);
  });
});
