// Where a run's alerts are drawn: loss-side alerts on the loss panel, gradient ones on the grad-norm panel; a line
// at the step, and a shaded range for the alerts that describe a stretch (plateaus, clip saturation, collapse).
import type { Alert } from '../../../shared/alerts.ts';
import { alertSteps, alertTitle } from '../../../shared/alerts.ts';
import type { ChartMarker } from './chart-panel.ts';

export type AlertPanel = 'loss' | 'grad';

const GRAD_KINDS = new Set<Alert['kind']>(['grad_spike', 'grad_explosion', 'grad_collapse', 'clip_saturation']);
const RANGE_KINDS = new Set<Alert['kind']>(['plateau', 'clip_saturation', 'grad_collapse']);

export function alertPanel(alert: Alert): AlertPanel {
  return GRAD_KINDS.has(alert.kind) ? 'grad' : 'loss';
}

export interface SeverityColors {
  info: string;
  warning: string;
  error: string;
}

/** The markers of one panel, in step order. */
export function alertMarkers(alerts: readonly Alert[], panel: AlertPanel, colors: SeverityColors): ChartMarker[] {
  return alerts
    .filter((a) => alertPanel(a) === panel)
    .sort((a, b) => a.step - b.step)
    .map((a) => ({
      step: a.step,
      stepEnd: RANGE_KINDS.has(a.kind) ? a.stepEnd : null,
      color: colors[a.severity],
      label: `${alertTitle(a)} · ${alertSteps(a)}`,
    }));
}

/** Changes whenever a marker would be drawn differently (a range growing, a spike escalating). */
export function alertMarkersKey(alerts: readonly Alert[]): string {
  return alerts.map((a) => `${a.kind}@${a.step}-${a.stepEnd ?? ''}:${a.severity}`).join(',');
}
