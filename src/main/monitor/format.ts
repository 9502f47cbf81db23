// One line per alert for the CLI and logs: severity mark, where, what, and what to do.
import { alertKindLabels, alertSteps, type Alert, type Severity } from '../../shared/alerts.ts';

const marks: Record<Severity, string> = { info: 'ℹ', warning: '⚠', error: '✖' };

export const alertKindLabel = alertKindLabels;

/** e.g. "⚠ step 812 loss spike: Training loss spiked to … — Learning rate likely too high: …" */
export function formatAlertLine(alert: Alert): string {
  const c = alert.evidence.classification;
  const how = c === 'recurring' || c === 'not_recovering' || c === 'early' ? ` (${c.replace(/_/g, ' ')})` : '';
  return `${marks[alert.severity]} ${alertSteps(alert)} ${alertKindLabels[alert.kind]}${how}: ${alert.message} — ${alert.advice}`;
}
