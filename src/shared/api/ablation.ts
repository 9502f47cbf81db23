// Ablation requests: review a candidate config against its baseline, launch sweeps, compare runs and groups.
// The Config editor and Compare pages and `loupe sweep` / `loupe compare` all go through these shapes. Bad input
// fails as 'bad_request' with issues whose paths name the param ("vary", "seeds", "config.train.lr", "baseline").
import { z } from 'zod';
import { request } from './define.ts';
import { RunStatus, RunSummary } from '../runs.ts';
import { Series } from './runs.ts';
import { MAX_SWEEP_RUNS } from '../ablation/sweep.ts';
import { MAX_CONFIG_CHARS } from '../config-yaml.ts';
import { RunConfig } from '../config.ts';
import { PrintableName } from '../printable.ts';

const RunIdString = z.string().min(1).max(100);

/** A group (sweep) name: one printable line; sweeps default to "sweep-<field>" made unique. */
export const GroupName = z.string().trim().pipe(PrintableName);

/** A config as an object (parsed YAML/JSON, e.g. from `runs.get`) or as YAML/JSON text straight from the editor. */
export const ConfigSource = z.union([z.string().max(MAX_CONFIG_CHARS), z.record(z.string(), z.unknown())]);
export type ConfigSource = z.infer<typeof ConfigSource>;

export const VaryValue = z.union([z.number(), z.string().max(1000), z.boolean()]);

/** One field and its values: "train.lr=1e-3,6e-4,3e-4" (CLI form) or { field, values } (launcher form). */
export const VaryInput = z.union([
  z.string().min(1).max(10_000),
  z.object({ field: z.string().min(1).max(200), values: z.array(VaryValue).min(1).max(MAX_SWEEP_RUNS) }).strict(),
]);
export type VaryInput = z.infer<typeof VaryInput>;

/** An arm that changes several fields together (a study's architecture): its label and dotted path → value. */
export const VariantInput = z
  .object({
    label: z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9._+-]+$/, 'a label is letters, digits and . _ + - (it names runs)'),
    set: z.record(z.string().min(1).max(200), z.unknown()),
  })
  .strict();

/** A count (base seed, base seed + 1, ...) or an explicit list of seeds. */
export const SeedsInput = z.union([
  z.number().int().min(1).max(100),
  z.array(z.number().int().min(0).max(2 ** 31 - 1)).min(1).max(100),
]);

/** The baseline of a comparison: a run (its seed replicates join it) or a group whose runs share one config. */
export const BaselineRef = z.union([z.object({ runId: RunIdString }).strict(), z.object({ group: GroupName }).strict()]);
export type BaselineRefParam = z.infer<typeof BaselineRef>;

export const CompareMetric = z.enum(['final', 'best']);

/** Which value of each run's series is compared: its last, its best, or the last one recorded at or before a step. */
export const CompareAt = z.union([CompareMetric, z.number().int().min(0)]);

/** One changed leaf field; from/to is absent where the field is absent on that side. */
export const ConfigChange = z.object({ path: z.string(), from: z.unknown().optional(), to: z.unknown().optional() });

/** One planned run of a sweep (also what a dry run returns). */
export const SweepPlanEntry = z.object({
  name: z.string(),
  value: VaryValue,
  seed: z.number(),
  /** Changes against the sweep's base config, seed and name included. */
  changes: z.array(ConfigChange),
});
export type SweepPlanEntry = z.infer<typeof SweepPlanEntry>;

export const SweepParams = z
  .object({
    /** The base config; omitted: the baseline run's resolved config (then baselineId is required). */
    config: ConfigSource.optional(),
    /** The one field to vary; omitted: seed replicates of the base config (e.g. to measure a baseline's noise). */
    vary: VaryInput.optional(),
    /** Instead of one field: arms that each set several fields (not with vary). */
    variants: z.array(VariantInput).min(1).max(MAX_SWEEP_RUNS).optional(),
    seeds: SeedsInput.default(3),
    /** The run every sweep run is linked to (and compared with by default); id or unique part of one. */
    baselineId: RunIdString.optional(),
    /** Default: "sweep-<field alias>", suffixed "-2", "-3", ... when taken. A given name must be new. */
    group: GroupName.optional(),
    hypothesis: z.string().max(10_000).optional(),
    /** Run length of the base config before the sweep (short sweeps, demos): warmup and cadence rescale with it. */
    steps: z.number().int().positive().max(10_000_000).optional(),
    /** Run length as a factor of the base config's steps; not with steps. */
    scale: z.number().positive().max(1000).optional(),
    /** Plan only: validate and return the runs that would be queued, queue nothing. */
    dryRun: z.boolean().default(false),
  })
  .strict()
  .refine((p) => p.vary === undefined || p.variants === undefined, { message: 'give vary or variants, not both', path: ['variants'] });
export type SweepParams = z.input<typeof SweepParams>;

export const SweepResult = z.object({
  group: z.string(),
  baselineId: z.string().nullable(),
  /** The varied field (the fields variants set, joined by "+"); null for a seeds-only sweep. */
  field: z.string().nullable(),
  values: z.array(VaryValue),
  seeds: z.array(z.number()),
  /** Every (value × seed) run, values outer, seeds inner. */
  planned: z.array(SweepPlanEntry),
  /** The queued runs in the same order; empty on a dry run. They train one after another (concurrency 1). */
  runs: z.array(RunSummary),
  /** E.g. the base config differs from the baseline in more than the varied field. */
  warnings: z.array(z.string()),
});
export type SweepResult = z.infer<typeof SweepResult>;

export const GroupInfo = z.object({
  name: z.string(),
  runIds: z.array(z.string()),
  runCount: z.number(),
  /** How many runs are in each status (statuses with none are left out). */
  statusCounts: z.partialRecord(RunStatus, z.number()),
  /** True when no run of the group is queued or running. */
  done: z.boolean(),
  /** The baseline all its runs link to, or null (none, or several). */
  baselineId: z.string().nullable(),
  /** The fields whose values differ between the group's runs, seed and name aside (a sweep's varied field). */
  variedFields: z.array(z.string()),
  seeds: z.array(z.number()),
  createdAt: z.number(),
  /** Latest end (or creation) time of its runs. */
  updatedAt: z.number(),
});
export type GroupInfo = z.infer<typeof GroupInfo>;

const MetricSummary = z.object({
  values: z.array(z.number()),
  mean: z.number().nullable(),
  std: z.number().nullable(),
  delta: z.number().nullable(),
});

export const CompareRow = z.object({
  key: z.string(),
  label: z.string(),
  group: z.string().nullable(),
  isBaseline: z.boolean(),
  runIds: z.array(z.string()),
  seeds: z.array(z.number()),
  final: MetricSummary,
  best: MetricSummary,
  /** The compared step's values; null unless `at` is a step. */
  atStep: MetricSummary.nullable(),
  verdict: z.enum(['significant', 'within noise', 'needs seeds', 'baseline']),
  p: z.number().nullable(),
  inNoiseBand: z.boolean().nullable(),
  explanation: z.string(),
  changes: z.array(ConfigChange),
});

export const NoiseBand = z.object({
  mean: z.number(),
  std: z.number(),
  lower: z.number(),
  upper: z.number(),
  n: z.number(),
  sigmas: z.number(),
});

/** The table of src/shared/ablation/compare.ts (compareRuns); render it with formatCompareTable / compareTableToCsv. */
export const CompareTable = z.object({
  /** The compared metric key. */
  metric: z.string(),
  at: CompareAt,
  higherIsBetter: z.boolean(),
  alpha: z.number(),
  baselineKey: z.string(),
  noiseBand: NoiseBand.nullable(),
  rows: z.array(CompareRow),
  warnings: z.array(z.string()),
});

export const CompareParams = z
  .object({
    /** Runs to compare (ids or unique parts of ids). */
    runIds: z.array(RunIdString).max(500).optional(),
    /** Groups to compare: every unarchived run of each. */
    groups: z.array(GroupName).max(100).optional(),
    /**
     * Default: the baseline run all compared runs link to. The baseline run and its seed replicates (same group and
     * config, seed and name aside) are added to the comparison when not listed.
     */
    baseline: BaselineRef.optional(),
    /**
     * A metric key ("val/loss", "diag/condensation/layer_2", "gen/seq_rep_4", "eval/arc/acc"...), or "final" / "best":
     * the old meaning, that value of val/loss. Default val/loss.
     */
    metric: z.string().min(1).max(200).default('val/loss'),
    /** final (default), best, or a step: each run's value at the last step recorded at or before it. */
    at: CompareAt.optional(),
    alpha: z.number().gt(0).lt(1).default(0.05),
    /** Metric keys whose series come back per run for the curve overlay, e.g. ["val/loss"]; none by default. */
    curveKeys: z.array(z.string().min(1).max(200)).max(8).default([]),
  })
  .strict();
export type CompareParams = z.input<typeof CompareParams>;

/** One compared run as the table used it (values only for finished runs): its val loss and the compared metric. */
export const CompareRunInfo = z.object({
  id: z.string(),
  name: z.string(),
  group: z.string().nullable(),
  seed: z.number(),
  status: RunStatus,
  finalValLoss: z.number().nullable(),
  bestValLoss: z.number().nullable(),
  /** The compared metric: last, best, and at the compared step (null unless `at` is a step). */
  final: z.number().nullable(),
  best: z.number().nullable(),
  atStep: z.number().nullable(),
  /** Key of the table row it belongs to. */
  rowKey: z.string(),
});

export const CompareResult = z.object({
  table: CompareTable,
  baseline: BaselineRef,
  runs: z.array(CompareRunInfo),
  /** Present for each run when curveKeys was given (fetch more with `runs.metrics`). */
  curves: z.array(z.object({ runId: z.string(), series: z.array(Series) })),
  /** Every metric key any compared run recorded, sorted (what the metric picker offers). */
  metricKeys: z.array(z.string()),
});
export type CompareResult = z.infer<typeof CompareResult>;

const ParamEstimate = z.union([
  z.object({ ok: z.literal(true), total: z.number(), active: z.number(), embedding: z.number(), nonEmbedding: z.number(), perLayer: z.number() }),
  z.object({ ok: z.literal(false), reason: z.string() }),
]);

/** The live readout of src/shared/ablation/candidate.ts (reviewCandidate). */
export const CandidateReview = z.object({
  changes: z.array(ConfigChange),
  changedCount: z.number(),
  warning: z.string().nullable(),
  suggestedName: z.string(),
  params: ParamEstimate,
  baseParams: ParamEstimate,
  tokensPerUpdate: z.number(),
  baseTokensPerUpdate: z.number(),
  lrSuggestion: z.object({ baseTokens: z.number(), newTokens: z.number(), ratio: z.number(), lr: z.number() }).nullable(),
  lrFollowsSqrtRule: z.boolean().nullable(),
});

/** A config problem located by field path and, for text input, by line/column (1-based). */
export const LocatedIssue = z.object({
  path: z.string(),
  message: z.string(),
  line: z.number().optional(),
  column: z.number().optional(),
  endLine: z.number().optional(),
  endColumn: z.number().optional(),
});

export const ReviewResult = z.union([
  z.object({ ok: z.literal(true), config: RunConfig, review: CandidateReview }),
  /** An invalid candidate is a normal editor state, so it comes back as data rather than as an error. */
  z.object({ ok: z.literal(false), issues: z.array(LocatedIssue) }),
]);
export type ReviewResult = z.infer<typeof ReviewResult>;

export const BaseConfigResult = z.object({
  /** The baseline run, or null for the bundled baseline recipe. */
  runId: z.string().nullable(),
  name: z.string(),
  config: RunConfig,
  /** The same config as canonical YAML, for the editor and the diff editor. */
  yaml: z.string(),
});
export type BaseConfigResult = z.infer<typeof BaseConfigResult>;

export const ablationRequests = {
  /** The config a new run starts from: a run's resolved config, or the bundled baseline recipe when runId is omitted. */
  'ablation.baseConfig': request(z.object({ runId: RunIdString.optional() }).strict(), BaseConfigResult),
  /** Diff, one-variable warning, suggested name, params, tokens per update and √-rule LR of a candidate. */
  'ablation.review': request(
    z.object({ baselineId: RunIdString.optional(), candidate: ConfigSource }).strict(),
    ReviewResult,
  ),
  /** Queues one run per (value × seed) as a named group linked to the baseline; bad input → bad_request with issues. */
  'ablation.sweep': request(SweepParams, SweepResult),
  'ablation.groups': request(z.object({ includeArchived: z.boolean().default(false) }).strict(), z.array(GroupInfo)),
  'ablation.compare': request(CompareParams, CompareResult),
  /** The compare table as CSV (what the Compare view exports), with a suggested file name. */
  'ablation.compareCsv': request(CompareParams, z.object({ csv: z.string(), fileName: z.string() })),
};

export const ablationEvents = {
  /** A sweep was queued (its runs also emit run.status as they progress). */
  'ablation.sweep': z.object({ group: z.string(), runIds: z.array(z.string()), baselineId: z.string().nullable() }),
};
