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
