// Alert markers: which panel, line or shaded range, colour by severity.
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/alerts.ts';
import { alertMarkers, alertMarkersKey, alertPanel } from './alert-markers.ts';

const a = (kind: Alert['kind'], severity: Alert['severity'], step: number, stepEnd: number | null): Alert => ({
  kind, severity, step, stepEnd, message: '', advice: '', evidence: {},
});
const colors = { info: 'grey', warning: 'amber', error: 'red' };

describe('alert markers', () => {
  const alerts = [a('plateau', 'warning', 100, 300), a('loss_spike', 'info', 50, 53), a('clip_saturation', 'warning', 400, 600), a('grad_explosion', 'warning', 700, 705)];

  it('puts loss alerts on the loss panel and gradient alerts on the grad panel, in step order', () => {
    expect(alertMarkers(alerts, 'loss', colors).map((m) => m.step)).toEqual([50, 100]);
    expect(alertMarkers(alerts, 'grad', colors).map((m) => m.step)).toEqual([400, 700]);
    expect(alertPanel(a('non_finite', 'error', 1, null))).toBe('loss');
  });

  it('shades plateaus and clip saturation; spikes and explosions are a line at their step', () => {
    expect(alertMarkers(alerts, 'loss', colors).map((m) => [m.stepEnd, m.color])).toEqual([[null, 'grey'], [300, 'amber']]);
    expect(alertMarkers(alerts, 'grad', colors).map((m) => m.stepEnd)).toEqual([600, null]);
    expect(alertMarkers(alerts, 'loss', colors)[1].label).toBe('plateau · steps 100–300');
  });

  it('the redraw key changes when a range grows or a severity changes', () => {
    const k = alertMarkersKey(alerts);
    expect(alertMarkersKey([{ ...alerts[0], stepEnd: 320 }, ...alerts.slice(1)])).not.toBe(k);
    expect(alertMarkersKey([alerts[0], { ...alerts[1], severity: 'warning' }, ...alerts.slice(2)])).not.toBe(k);
  });
});
