// Run records as the store keeps them and every client sees them.
import { z } from 'zod';

export const RunStatus = z.enum(['queued', 'running', 'paused', 'finished', 'stopped', 'crashed', 'failed']);
export type RunStatus = z.infer<typeof RunStatus>;

/** Where a run Loupe did not train came from; a watched file that stopped growing is stale (still running). */
export const ExternalSource = z.object({
  kind: z.enum(['runfile', 'tensorboard', 'mlflow', 'csv']),
  path: z.string(),
  staleSince: z.number().nullable(),
});
export type ExternalSource = z.infer<typeof ExternalSource>;

/** A process owns the run: it waits for a training slot or trains now. */
export const activeStatuses: readonly RunStatus[] = ['queued', 'running'];

/**
 * Statuses a run can continue from (its last checkpoint, or the start when none was written). A failed run is one:
 * what failed it (out of memory, a backend error) may not happen again, and resuming never loses what was logged.
 */
export const resumableStatuses: readonly RunStatus[] = ['paused', 'stopped', 'crashed', 'failed'];

export function isActive(status: RunStatus): boolean {
  return activeStatuses.includes(status);
}

export function isResumable(status: RunStatus): boolean {
  return resumableStatuses.includes(status);
}

export const RunSummary = z.object({
  id: z.string(),
  name: z.string(),
  hypothesis: z.string().nullable(),
  notes: z.string().nullable(),
  status: RunStatus,
  backend: z.string().nullable(),
  backendReason: z.string().nullable(),
  params: z.number().nullable(),
  steps: z.number(),
  plannedSteps: z.number(),
  tokensSeen: z.number(),
  tokensPerUpdate: z.number().nullable(),
  lastTrainLoss: z.number().nullable(),
  lastValLoss: z.number().nullable(),
  /** Lowest val loss after initialisation (the step-0 eval never counts as a best); null before such an eval. */
  bestValLoss: z.number().nullable(),
  /** The steps lastValLoss and bestValLoss were measured at. */
  lastValStep: z.number().nullable(),
  bestValStep: z.number().nullable(),
  tokensPerS: z.number().nullable(),
  configHash: z.string(),
  baselineId: z.string().nullable(),
  /** The weights this run started from (config.init_from): "RUN_ID@STEP", or a checkpoint folder. */
  initFrom: z.string().nullable().optional(),
  groupName: z.string().nullable(),
  seed: z.number(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  error: z.string().nullable(),
  archived: z.boolean(),
  /** Every alert of the run, info included. */
  alertCount: z.number(),
  /** Alerts at warning or error severity: the ones that ask for attention. */
  warningCount: z.number(),
  /** Set for runs from elsewhere (watched or imported); absent or null for runs Loupe trained. */
  external: ExternalSource.nullable().optional(),
});
export type RunSummary = z.infer<typeof RunSummary>;
