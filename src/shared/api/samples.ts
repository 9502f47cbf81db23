// Sampling requests and events: generate from any checkpoint, stream tokens, keep and browse samples, and
// sample a grid of prompts × checkpoints with per-column cross-prompt sameness (DESIGN §5).
import { z } from 'zod';
import { request } from './define.ts';
import { RunStatus } from '../runs.ts';
import { PromptSetSummary, SampleDiagnostics } from '../generation/diagnosis.ts';
import { PromptSet } from '../generation/prompts.ts';

const Id = z.string().min(1).max(100);
const keyword = z.string().min(1).max(200);
/** Each entry is a keyword or a list of alternatives, as in a prompt set. */
export const ExpectedKeywords = z.array(z.union([keyword, z.array(keyword).min(1).max(16)])).max(32);

/** Which checkpoint to sample: a run and a step; step null means the run's newest checkpoint (also while it trains). */
export const CheckpointRef = z.object({ runId: Id, step: z.number().int().min(0).nullable().default(null) }).strict();
export type CheckpointRef = z.infer<typeof CheckpointRef>;

/** A checkpoint ref after resolution: the concrete step, and the run's name for labels. */
export const ResolvedCheckpoint = z.object({ runId: z.string(), runName: z.string(), step: z.number().int() });
export type ResolvedCheckpoint = z.infer<typeof ResolvedCheckpoint>;

/** Sampler settings; every field has a default, so `{}` samples with the defaults. */
export const SampleSettings = z
  .object({
    /** New tokens to generate. */
    maxTokens: z.number().int().min(1).max(4096).default(128),
    /** 0 = greedy. */
    temperature: z.number().min(0).max(10).default(0.8),
    /** 0 = off. */
    topK: z.number().int().min(0).max(1_000_000).default(0),
    /** 1 = off. */
    topP: z.number().gt(0).max(1).default(1),
    /** 1 = off; > 1 discourages tokens already in the context. */
    repetitionPenalty: z.number().min(0.1).max(10).default(1),
    /** Generation ends at the first of these (excluded from the text). */
    stop: z.array(z.string().min(1).max(200)).max(16).default([]),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1337),
  })
  .strict();
export type SampleSettings = z.infer<typeof SampleSettings>;

export const SamplePhase = z.enum(['queued', 'loading', 'generating', 'indexing', 'diagnosing']);
export type SamplePhase = z.infer<typeof SamplePhase>;

export const SampleFinish = z.enum(['length', 'stop', 'cancelled']);
export type SampleFinish = z.infer<typeof SampleFinish>;

/** The training text around a memorised span: before + match + after, so the UI can highlight `match`. */
export const MemorizedSource = z.object({
  /** Token offset of the match in the run's training stream (same as diagnostics.memorization.sourceOffset). */
  tokenOffset: z.number().int().min(0),
  before: z.string(),
  match: z.string(),
  after: z.string(),
});
export type MemorizedSource = z.infer<typeof MemorizedSource>;

/** A stored sample: what was asked, of which checkpoint, what came out, and its diagnostics. */
export const Sample = z.object({
  id: z.string(),
  runId: z.string(),
  runName: z.string(),
  step: z.number().int(),
  prompt: z.string(),
  settings: SampleSettings,
  expectedKeywords: ExpectedKeywords.nullable(),
  /** Generated text (the continuation only, without the prompt). */
  text: z.string(),
  /** Text piece of each generated token, in order (may be '' mid-UTF-8); loop and memorisation spans index these. */
  pieces: z.array(z.string()),
  /** Next-token entropy (nats) at each generated position: the entropy strip under the text. */
  entropies: z.array(z.number()),
  diagnostics: SampleDiagnostics,
  /** Where the longest memorised span sits in the training data; null when none was found or memorisation was off. */
  memorizedSource: MemorizedSource.nullable(),
  finish: SampleFinish,
  /** Problems that did not stop the sample, one line each (e.g. the training corpus is gone, so no memorisation). */
  warnings: z.array(z.string()),
  /** Set when the sample belongs to a grid. */
  gridId: z.string().nullable(),
  createdAt: z.number(),
  durationMs: z.number(),
  tokensPerS: z.number().nullable(),
});
export type Sample = z.infer<typeof Sample>;

export const SampleableCheckpoint = z.object({ step: z.number().int(), valLoss: z.number().nullable(), createdAt: z.number() });
export type SampleableCheckpoint = z.infer<typeof SampleableCheckpoint>;

/** A run with the checkpoints it can be sampled at (newest first); runs without one yet have an empty list. */
export const SampleableRun = z.object({
  runId: z.string(),
  runName: z.string(),
  status: RunStatus,
  steps: z.number(),
  plannedSteps: z.number(),
  createdAt: z.number(),
  checkpoints: z.array(SampleableCheckpoint),
});
export type SampleableRun = z.infer<typeof SampleableRun>;

export const GridPrompt = z
  .object({
    /** Row label; defaults to "p1", "p2", … */
    id: z.string().min(1).max(64).optional(),
    prompt: z.string().min(1).max(4000),
    expectedKeywords: ExpectedKeywords.optional(),
  })
  .strict();
export type GridPrompt = z.input<typeof GridPrompt>;

export const GridCellStatus = z.enum(['pending', 'running', 'done', 'error', 'cancelled']);
export type GridCellStatus = z.infer<typeof GridCellStatus>;

export const GridCell = z.object({
  row: z.number().int(),
  col: z.number().int(),
  status: GridCellStatus,
  sampleId: z.string().nullable(),
  sample: Sample.nullable(),
  error: z.string().nullable(),
});
export type GridCell = z.infer<typeof GridCell>;

export const GridColumn = z.object({
  checkpoint: ResolvedCheckpoint,
  /** Prompt-set summary over the column's finished cells, incl. cross-prompt sameness; null until a cell finishes. */
  summary: PromptSetSummary.nullable(),
});
export type GridColumn = z.infer<typeof GridColumn>;

/** Prompts (rows) × checkpoints (columns); cells are row-major: cells[row * columns.length + col]. */
export const Grid = z.object({
  id: z.string(),
  status: z.enum(['running', 'done', 'cancelled']),
  promptSetId: z.string().nullable(),
  rows: z.array(z.object({ id: z.string(), prompt: z.string(), expectedKeywords: ExpectedKeywords })),
  columns: z.array(GridColumn),
  settings: SampleSettings,
  cells: z.array(GridCell),
  createdAt: z.number(),
});
export type Grid = z.infer<typeof Grid>;

export const PromptSetEntry = z.object({ set: PromptSet, builtIn: z.boolean(), updatedAt: z.number().nullable() });
export type PromptSetEntry = z.infer<typeof PromptSetEntry>;

export const sampleRequests = {
  /** Runs (newest first) with their checkpoints (newest first), including runs still training. */
  'samples.checkpoints': request(z.object({ includeArchived: z.boolean().default(false) }).strict(), z.array(SampleableRun)),
  /**
   * Starts one sample in a worker and returns at once; tokens arrive as `sample.token`, the stored sample as
   * `sample.done` (also after a cancel, with finish "cancelled"), a failure as `sample.error` (a sample cancelled
   * while still queued ends there too, with "cancelled before it started"). Progress arrives as `sample.phase`.
   */
  'samples.generate': request(
    z
      .object({
        checkpoint: CheckpointRef,
        prompt: z.string().min(1).max(20_000),
        settings: SampleSettings.default(SampleSettings.parse({})),
        expectedKeywords: ExpectedKeywords.optional(),
        /** Look the output up in the run's training data (the index is built once per dataset). */
        memorization: z.boolean().default(true),
      })
      .strict(),
    z.object({ sampleId: z.string(), checkpoint: ResolvedCheckpoint }),
  ),
  /** Cancels a running sample or grid by its id; false when nothing with that id is running. */
  'samples.cancel': request(z.object({ id: Id }).strict(), z.object({ cancelled: z.boolean() })),
  /** Stored samples, newest first; grid cells are included only when gridId is given. */
  'samples.list': request(
    z
      .object({
        runId: Id.optional(),
        gridId: Id.optional(),
        limit: z.number().int().min(1).max(1000).default(100),
        /** Only samples created before this time (ms): the cursor for the next page. */
        before: z.number().optional(),
      })
      .strict(),
    z.array(Sample),
  ),
  'samples.get': request(z.object({ sampleId: Id }).strict(), Sample),
  /**
   * Samples every prompt (rows: a saved/built-in set by id, or explicit prompts) at every checkpoint (columns),
   * one cell at a time in a worker; returns the grid with pending cells at once, then `sample.gridCell` per cell and
   * `sample.gridDone` with each column's summary (incl. cross-prompt sameness).
   */
  'samples.grid': request(
    z
      .object({
        promptSetId: Id.optional(),
        prompts: z.array(GridPrompt).min(1).max(100).optional(),
        checkpoints: z.array(CheckpointRef).min(1).max(12),
        settings: SampleSettings.default(SampleSettings.parse({})),
        memorization: z.boolean().default(true),
      })
      .strict()
      .refine((p) => (p.promptSetId === undefined) !== (p.prompts === undefined), { message: 'give either promptSetId or prompts' }),
    Grid,
  ),
  /** A grid of this session (running or finished), with every cell's sample so far. */
  'samples.gridGet': request(z.object({ gridId: Id }).strict(), Grid),
  /** The built-in diagnostic set first, then saved sets by name. */
  'samples.promptSets': request(z.object({}).strict(), z.array(PromptSetEntry)),
  /** Creates or replaces a saved set (by its id); the built-in set's id cannot be used. */
  'samples.savePromptSet': request(z.object({ set: z.unknown() }).strict(), PromptSetEntry),
  'samples.deletePromptSet': request(z.object({ id: Id }).strict(), z.object({ deleted: z.boolean() })),
};

export const sampleEvents = {
  /** Where a sample is: waiting for the worker, loading the checkpoint, generating, indexing the training data (first time per dataset), diagnosing. */
  'sample.phase': z.object({ sampleId: z.string(), phase: SamplePhase }),
  'sample.token': z.object({ sampleId: z.string(), index: z.number().int(), piece: z.string(), entropy: z.number() }),
  'sample.done': z.object({ sampleId: z.string(), sample: Sample }),
  'sample.error': z.object({ sampleId: z.string(), message: z.string() }),
  'sample.gridCell': z.object({ gridId: z.string(), cell: GridCell, column: GridColumn }),
  'sample.gridDone': z.object({ gridId: z.string(), grid: Grid }),
};
