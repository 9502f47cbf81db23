// Messages between the sampling service (main) and the sample worker (main/engine/sample-worker.ts). Both sides
// validate what they receive: a worker is a process boundary like any other.
import { z } from 'zod';
import { ExpectedKeywords, Sample, SamplePhase, SampleSettings } from './api/samples.ts';

export const SampleJob = z.object({
  id: z.string(),
  checkpointPath: z.string(),
  prompt: z.string().min(1),
  settings: SampleSettings,
  expectedKeywords: ExpectedKeywords.nullable(),
  /** Where memorisation indexes are cached; null skips memorisation. */
  memorizationCacheDir: z.string().nullable(),
});
export type SampleJob = z.infer<typeof SampleJob>;

export const ToSampleWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sample'), job: SampleJob }),
  z.object({ type: z.literal('cancel'), id: z.string() }),
]);
export type ToSampleWorker = z.infer<typeof ToSampleWorker>;

/** What the worker returns: the stored sample's generated part, plus the raw token ids and the generation time. */
export const SampleJobResult = Sample.pick({
  step: true,
  text: true,
  pieces: true,
  entropies: true,
  diagnostics: true,
  memorizedSource: true,
  finish: true,
  warnings: true,
}).extend({
  tokenIds: z.array(z.number().int()),
  /** Generation time only (not loading or diagnostics). */
  generateMs: z.number(),
});
export type SampleJobResult = z.infer<typeof SampleJobResult>;

export const FromSampleWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('phase'), id: z.string(), phase: SamplePhase }),
  z.object({ type: z.literal('token'), id: z.string(), index: z.number().int(), piece: z.string(), entropy: z.number() }),
  z.object({ type: z.literal('done'), id: z.string(), result: SampleJobResult }),
  z.object({ type: z.literal('error'), id: z.string(), message: z.string() }),
]);
export type FromSampleWorker = z.infer<typeof FromSampleWorker>;
