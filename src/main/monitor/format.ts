// One line per alert for the CLI and logs: severity mark, where, what, and what to do.
import type { Alert, AlertKind, Severity } from '../../shared/alerts.ts';

const marks: Record<Severity, string> = { info: 'ℹ', warning: '⚠', error: '✖' };

export const alertKindLabel: Record<AlertKind, string> = {
  loss_spike: 'loss spike',
  grad_spike: 'grad-norm spike',
  plateau: 'plateau',
  grad_explosion: 'gradient explosion',
  grad_collapse: 'gradient collapse',
  clip_saturation: 'clip saturation',
  non_finite: 'non-finite values',
  overfitting: 'overfitting',
  response_collapse: 'response collapse',
};

/** e.g. "⚠ step 812 loss spike: Training loss spiked to … — Learning rate likely too high: …" */
export function formatAlertLine(alert: Alert): string {
  const where = alert.stepEnd !== null && alert.stepEnd !== alert.step ? `steps ${alert.step}–${alert.stepEnd}` : `step ${alert.step}`;
  const recurring = alert.evidence.classification === 'recurring' ? ' (recurring)' : '';
  return `${marks[alert.severity]} ${where} ${alertKindLabel[alert.kind]}${recurring}: ${alert.message} — ${alert.advice}`;
}
