// Alerts raised by the monitor (DESIGN.md §5): what fired, where, the numbers behind it and what to do.
import { z } from 'zod';

export const AlertKind = z.enum([
  'loss_spike', 'grad_spike', 'plateau', 'grad_explosion', 'grad_collapse', 'clip_saturation',
  'non_finite', 'overfitting', 'response_collapse',
]);
export type AlertKind = z.infer<typeof AlertKind>;
export const Severity = z.enum(['info', 'warning', 'error']);
export type Severity = z.infer<typeof Severity>;

export const Alert = z.object({
  id: z.string().optional(),
  runId: z.string().optional(),
  kind: AlertKind,
  severity: Severity,
  step: z.number().int(),
  stepEnd: z.number().int().nullable(),
  message: z.string(),
  advice: z.string(),
  evidence: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
});
export type Alert = z.infer<typeof Alert>;

const severityRank: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** One alert per id: a merged episode arrives again updated (stepEnd grows, a spike is classified) and replaces its old version. */
export function upsertAlert(list: readonly Alert[], alert: Alert): Alert[] {
  const i = alert.id === undefined ? -1 : list.findIndex((a) => a.id === alert.id);
  if (i < 0) return [...list, alert];
  const next = [...list];
  next[i] = alert;
  return next;
}

/**
 * Whether a live alert deserves a notification: the first time its episode is seen at warning or error, or when
 * it escalates (a spike first reported as info turns out not to recover). Updates of the same episode stay quiet.
 * `announced` maps alert ids to the severity last announced and is updated.
 */
export function shouldAnnounce(announced: Map<string, Severity>, alert: Alert): boolean {
  if (alert.severity === 'info') return false;
  const key = alert.id ?? `${alert.runId ?? ''}:${alert.kind}:${alert.step}`;
  const before = announced.get(key);
  if (before !== undefined && severityRank[before] >= severityRank[alert.severity]) return false;
  announced.set(key, alert.severity);
  return true;
}

export const alertKindLabels: Record<AlertKind, string> = {
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

/** "loss spike (not recovering)", "plateau": the kind with a spike's classification once known. */
export function alertTitle(alert: Alert): string {
  const c = alert.evidence['classification'];
  const how = typeof c === 'string' && c !== 'pending' ? ` (${c.replace(/_/g, ' ')})` : '';
  return `${alertKindLabels[alert.kind]}${how}`;
}

/** "step 812" or "steps 812–950". */
export function alertSteps(alert: Alert): string {
  return alert.stepEnd !== null && alert.stepEnd !== alert.step ? `steps ${alert.step}–${alert.stepEnd}` : `step ${alert.step}`;
}
