// Study requests: the architecture study queued as one variant sweep, and its table (per arm, mean ± std over
// seeds, Welch p against the Pure Transformer). `loupe study architectures` and the Compare page use these shapes.
import { z } from 'zod';
import { request } from './define.ts';
import { GroupName, SeedsInput, SweepResult } from './ablation.ts';
import { STUDY_DEFAULTS } from '../studies/architectures.ts';

export const ArchitectureArm = z.enum(['transformer', 'mamba', 'hybrid', 'moe']);

export const ParamFigures = z.object({ total: z.number(), active: z.number() });

export const ArchitectureStudyParams = z
  .object({
    /** Parameter budget every arm is sized to (active parameters: the total for dense models). */
    params: z.number().int().min(10_000).max(300_000_000).default(STUDY_DEFAULTS.params),
    /** Optimizer steps of every run (warmup rescales with it). */
    steps: z.number().int().min(1).max(10_000_000).default(STUDY_DEFAULTS.steps),
    seeds: SeedsInput.default(STUDY_DEFAULTS.seeds),
    /** Plan only: the arms, their widths and counts, and the runs that would be queued. */
    dryRun: z.boolean().default(false),
  })
  .strict();
export type ArchitectureStudyParams = z.input<typeof ArchitectureStudyParams>;

export const PlannedArm = z.object({ arm: ArchitectureArm, label: z.string(), dModel: z.number(), params: ParamFigures });

export const ArchitectureStudyResult = SweepResult.extend({ plan: z.array(PlannedArm) });
export type ArchitectureStudyResult = z.infer<typeof ArchitectureStudyResult>;

/** One metric of one arm over its finished seeds; p is Welch's test against the transformer (null for it, or too few). */
export const StudyCell = z.object({
  values: z.array(z.number()),
  mean: z.number().nullable(),
  std: z.number().nullable(),
  p: z.number().nullable(),
});
export type StudyCell = z.infer<typeof StudyCell>;

export const StudyRow = z.object({
  arm: ArchitectureArm,
  label: z.string(),
  isBaseline: z.boolean(),
  runIds: z.array(z.string()),
  seeds: z.array(z.number()),
  /** Runs of the arm that finished (only they have values). */
  finished: z.number(),
  params: ParamFigures,
  valLoss: StudyCell,
  valPpl: StudyCell,
  /** val − train cross-entropy at the end (train smoothed as the overfitting alert does). */
  gap: StudyCell,
  loopFraction: StudyCell,
  seqRep4: StudyCell,
  sameness: StudyCell,
  /** Median training throughput of each run. */
  tokensPerS: StudyCell,
});
export type StudyRow = z.infer<typeof StudyRow>;

export const StudyTable = z.object({
  group: z.string(),
  /** Rows in the study's order (transformer, mamba, hybrid, moe), arms without runs left out. */
  rows: z.array(StudyRow),
  steps: z.number().nullable(),
  alpha: z.number(),
  warnings: z.array(z.string()),
});
export type StudyTable = z.infer<typeof StudyTable>;

export const StudyInfo = z.object({ group: z.string(), runCount: z.number(), done: z.boolean(), createdAt: z.number() });

export const studyRequests = {
  /** Queues the four arms × seeds as one group (they train one after another); bad input → bad_request. */
  'studies.architectures': request(ArchitectureStudyParams, ArchitectureStudyResult),
  /** Architecture studies in the store, newest first. */
  'studies.list': request(z.object({}).strict(), z.array(StudyInfo)),
  'studies.table': request(z.object({ group: GroupName }).strict(), StudyTable),
};
