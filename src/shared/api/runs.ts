// Run requests and events: start, watch, stop, resume, organise runs and read their metrics and alerts.
import { z } from 'zod';
import { request } from './define.ts';
import { RunSummary, RunStatus } from '../runs.ts';
import { Alert } from '../alerts.ts';
import { WireNumber } from '../metrics.ts';
import { PrintableName } from '../printable.ts';
import { RunConfig } from '../config.ts';

const RunId = z.object({ runId: z.string().min(1).max(100) }).strict();

export const CheckpointInfo = z.object({
  step: z.number(),
  path: z.string(),
  sha256: z.string(),
  bytes: z.number(),
  valLoss: z.number().nullable(),
  createdAt: z.number(),
});
export type CheckpointInfo = z.infer<typeof CheckpointInfo>;

export const RunDetail = z.object({
  run: RunSummary,
  /** The fully resolved config, as stored (checked against the schema when read). */
  config: RunConfig,
  checkpoints: z.array(CheckpointInfo),
  alerts: z.array(Alert),
  metricKeys: z.array(z.string()),
  /** For runs from elsewhere: the config as the job logged it (`config` then holds Loupe's reading of it). */
  sourceConfig: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type RunDetail = z.infer<typeof RunDetail>;

/** Columnar series: steps[i] pairs with values[i]; non-finite values travel as strings. */
export const Series = z.object({ key: z.string(), steps: z.array(z.number()), values: z.array(WireNumber) });
export type Series = z.infer<typeof Series>;

export const runRequests = {
  'runs.list': request(z.object({ includeArchived: z.boolean().default(false) }).strict(), z.array(RunSummary)),
  'runs.get': request(RunId, RunDetail),
  'runs.startBaseline': request(
    z
      .object({
        steps: z.number().int().positive().max(10_000_000).optional(),
        /** Run length as a factor of the recipe's steps (warmup, eval and checkpoint cadence follow); not with steps. */
        scale: z.number().positive().max(1000).optional(),
        seed: z.number().int().min(0).optional(),
      })
      .strict(),
    RunSummary,
  ),
  'runs.startFineTune': request(
    z
      .object({
        parentId: z.string().min(1).optional(),
        steps: z.number().int().positive().max(10_000_000).optional(),
        seed: z.number().int().min(0).optional(),
      })
      .strict(),
    RunSummary,
  ),
  'runs.start': request(
    z
      .object({
        config: z.unknown(),
        name: PrintableName.optional(),
        hypothesis: z.string().max(10_000).optional(),
        baselineId: z.string().optional(),
        groupName: PrintableName.optional(),
      })
      .strict(),
    RunSummary,
  ),
  'runs.stop': request(RunId, RunSummary),
  'runs.resume': request(RunId, RunSummary),
  'runs.update': request(
    z
      .object({ runId: z.string().min(1), name: PrintableName.optional(), notes: z.string().max(100_000).optional(), hypothesis: z.string().max(10_000).optional() })
      .strict(),
    RunSummary,
  ),
  /** Archive hides a run; nothing is deleted. */
  'runs.archive': request(z.object({ runId: z.string().min(1), archived: z.boolean() }).strict(), RunSummary),
  /** Permanent: only an archived, inactive run; `confirm: true` must be sent explicitly (the UI asks twice). */
  'runs.delete': request(
    z.object({ runId: z.string().min(1).max(100), confirm: z.literal(true) }).strict(),
    z.object({ runId: z.string(), deletedFiles: z.number().int().min(0) }),
  ),
  'runs.metrics': request(
    z.object({ runId: z.string().min(1), keys: z.array(z.string()).max(100).optional(), sinceStep: z.number().int().min(0).optional() }).strict(),
    z.array(Series),
  ),
  'runs.alerts': request(RunId, z.array(Alert)),
};

export const runEvents = {
  'run.status': z.object({ run: RunSummary }),
  'run.metrics': z.object({
    runId: z.string(),
    points: z.array(z.object({ step: z.number(), key: z.string(), value: WireNumber })),
  }),
  'run.alert': z.object({ runId: z.string(), alert: Alert }),
  'run.log': z.object({ runId: z.string(), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
};
export { RunStatus };
