// Messages between main (scheduler) and a training worker. Workers own tensors only; main owns state,
// so everything a worker learns reaches main through these, validated with zod on receipt.
import { z } from 'zod';
import { RunConfig } from './config.ts';
import { CondensationStats } from './generation/condensation.ts';

const WireNum = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);

/** main → worker */
export const ToWorker = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    runId: z.string(),
    config: RunConfig,
    /** Folder where this run's checkpoints are written (one sub-folder per checkpoint step). */
    checkpointDir: z.string(),
    /** A checkpoint folder to resume from (weights + optimizer + step + RNG + data cursor). */
    resumeFrom: z.string().nullable(),
    /** A checkpoint folder whose weights (and tokenizer) a fresh run starts from, with a fresh optimizer (init_from). */
    initFrom: z.string().nullable().default(null),
    /** Cores this run may use for data-parallel workers (the machine's, shared among the runs training at once). */
    cores: z.number().int().positive().optional(),
  }),
  z.object({ type: z.literal('stop') }),
  z.object({ type: z.literal('pause') }),
]);
export type ToWorker = z.infer<typeof ToWorker>;

/** worker → main */
export const FromWorker = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('started'),
    backend: z.string(),
    /** Why better backends were skipped, e.g. "tensorflow: @tensorflow/tfjs-node not installed; webgpu: no adapter". */
    backendReason: z.string(),
    params: z.number().int(),
    tokensPerUpdate: z.number().int(),
    microBatch: z.number().int(),
    accumulation: z.number().int(),
    /** Data-parallel workers sharing each batch (microBatch and accumulation are per worker). */
    workers: z.number().int().min(1).default(1),
    startStep: z.number().int(),
  }),
  /** One batch of metric points; main writes each batch in one transaction. seq numbers batches from 0. */
  z.object({
    type: z.literal('metrics'),
    seq: z.number().int(),
    points: z.array(z.object({ step: z.number().int(), key: z.string(), value: WireNum })),
  }),
  /** Per-layer similarity histograms of one eval (the heatmap's data); its means also arrive as diag/* metrics. */
  z.object({ type: z.literal('condensation'), step: z.number().int().min(0), stats: CondensationStats }),
  z.object({
    type: z.literal('checkpoint'),
    step: z.number().int(),
    path: z.string(),
    sha256: z.string(),
    bytes: z.number().int(),
    valLoss: z.number().nullable(),
  }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn']), message: z.string() }),
  /** The loop ended: finished all steps, stopped on request, paused, or stopped early. */
  z.object({
    type: z.literal('done'),
    status: z.enum(['finished', 'stopped', 'paused']),
    step: z.number().int(),
    reason: z.string().nullable(),
  }),
  /** A failure the worker caught (bad data, non-finite loss, OOM...): a one-line message for users. */
  z.object({ type: z.literal('error'), message: z.string(), step: z.number().int().nullable(), nonFinite: z.boolean() }),
]);
export type FromWorker = z.infer<typeof FromWorker>;

/** What a worker reports once its model is built: the backend it got, the model's size and the batch geometry. */
export type StartedInfo = Omit<Extract<FromWorker, { type: 'started' }>, 'type'>;
