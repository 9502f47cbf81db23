// The sampling services the API handlers and the CLI share: resolve checkpoint refs, run samples and grids in the
// sample worker, stream their tokens as events, store every finished sample, and keep users' prompt sets.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Store } from '../store/store.ts';
import type { ServiceEvents } from '../scheduler/events.ts';
import { ServiceError } from './errors.ts';
import { resolveRunRef } from './run-ref.ts';
import { SampleRunner, type SampleWorkerFactory } from './sample-runner.ts';
import type { SampleJob, SampleJobResult } from '../../shared/sample-worker-protocol.ts';
import { builtInDiagnosticSet } from '../../shared/generation/builtin-prompts.ts';
import { parsePromptSet, type PromptSet } from '../../shared/generation/prompts.ts';
import { summarizePromptSet } from '../../shared/generation/diagnosis.ts';
import { isActive } from '../../shared/runs.ts';
import { hfCheckpointState, isForeignHfFolder } from '../engine/checkpoint/hf-import.ts';
import { checkpointProblem } from './checkpoint-check.ts';
import {
  ExpectedKeywords,
  ResolvedCheckpoint,
  SampleSettings,
  type CheckpointRef,
  type Grid,
  type GridCell,
  type GridColumn,
  type GridPrompt,
  type PromptSetEntry,
  type Sample,
  type SampleableRun,
  type SamplePhase,
} from '../../shared/api/samples.ts';

type ExpectedKeywords = z.infer<typeof ExpectedKeywords>;

/** Where a sample comes from: a run's checkpoint, or a checkpoint folder given by path (CLI). */
export type SampleTarget = { runId: string; step: number | null } | { path: string };

export interface GenerateParams {
  target: SampleTarget;
  prompt: string;
  settings?: z.input<typeof SampleSettings>;
  expectedKeywords?: ExpectedKeywords;
  memorization?: boolean;
}

export interface GenerateHandle {
  sampleId: string;
  checkpoint: ResolvedCheckpoint;
  /** The finished sample (also when cancelled); rejects with a ServiceError when sampling fails. */
  done: Promise<Sample>;
}

export interface GridParams {
  promptSetId?: string;
  prompts?: GridPrompt[];
  checkpoints: CheckpointRef[];
  settings?: z.input<typeof SampleSettings>;
  memorization?: boolean;
}

export interface SampleServices {
  checkpoints(opts?: { includeArchived?: boolean }): SampleableRun[];
  generate(p: GenerateParams): GenerateHandle;
  /** Cancels a sample or a grid; false when nothing with that id is running. */
  cancel(id: string): boolean;
  list(opts: { runId?: string; gridId?: string; limit?: number; before?: number }): Sample[];
  get(sampleId: string): Sample;
  grid(p: GridParams): Grid;
  gridGet(gridId: string): Grid;
  /** Resolves when the grid has no pending or running cell. */
  waitForGrid(gridId: string): Promise<Grid>;
  promptSets(): PromptSetEntry[];
  savePromptSet(raw: unknown): PromptSetEntry;
  deletePromptSet(id: string): boolean;
  close(): Promise<void>;
}

export interface SampleServicesDeps {
  store: Store;
  events: ServiceEvents;
  dataDir: string;
  workerFactory?: SampleWorkerFactory;
}

interface Resolved {
  checkpoint: ResolvedCheckpoint;
  path: string;
  /** False for a checkpoint folder that belongs to no run in this data dir: sampled, not stored. */
  stored: boolean;
}

const GridSpec = z.object({
  promptSetId: z.string().nullable(),
  rows: z.array(z.object({ id: z.string(), prompt: z.string(), expectedKeywords: ExpectedKeywords })),
  columns: z.array(ResolvedCheckpoint),
  settings: SampleSettings,
});
type GridSpec = z.infer<typeof GridSpec>;

interface GridState {
  grid: Grid;
  tokenIds: Map<number, number[]>;
  waiters: ((g: Grid) => void)[];
}

function newId(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

/** The built-in set's keywords when the prompt is one of its probes verbatim, so ad-hoc probes get a keyword score too. */
function builtInKeywords(prompt: string): ExpectedKeywords | null {
  const p = builtInDiagnosticSet.prompts.find((x) => x.prompt === prompt);
  return p && p.expectedKeywords.length > 0 ? p.expectedKeywords : null;
}

export function createSampleServices(deps: SampleServicesDeps): SampleServices {
  const { store, events } = deps;
  const samples = store.samples;
  const runner = new SampleRunner(deps.workerFactory);
  const cacheDir = path.join(deps.dataDir, 'cache', 'memorization');
  const grids = new Map<string, GridState>();

  const runIdOf = (ref: string): string => (store.runs.get(ref) ? ref : resolveRunRef(ref, store.runs.list({ includeArchived: true })));

  const resolveRef = (ref: { runId: string; step: number | null }): Resolved => {
    const runId = runIdOf(ref.runId);
    const run = store.runs.require(runId);
    const all = store.checkpoints.list(runId);
    if (all.length === 0) {
      throw new ServiceError('not_found', `run ${runId} has no checkpoint yet${isActive(run.status) ? ' (it is still training; one is saved every checkpoint.every steps)' : ''}`);
    }
    const ck = ref.step === null ? all[all.length - 1]! : all.find((c) => c.step === ref.step);
    if (!ck) {
      const steps = all.map((c) => c.step);
      throw new ServiceError('not_found', `run ${runId} has no checkpoint at step ${ref.step} (it has ${steps.slice(-12).join(', ')})`);
    }
    if (!existsSync(ck.path)) {
      throw new ServiceError('not_found', `the checkpoint folder of run ${runId} at step ${ck.step} is missing: ${ck.path}`);
    }
    const problem = checkpointProblem(ck);
    if (problem) throw new ServiceError('conflict', `run ${runId}: ${problem}; sample another step with RUN@STEP`);
    return { checkpoint: { runId, runName: run.name, step: ck.step }, path: ck.path, stored: true };
  };

  const resolvePath = (folder: string): Resolved => {
    const abs = path.resolve(folder);
    if (isForeignHfFolder(abs)) {
      // A Hugging Face folder from elsewhere: checked now, so a wrong family or shape is one clear error.
      let step: number;
      try {
        step = hfCheckpointState(abs).step;
      } catch (e) {
        throw new ServiceError('bad_request', e instanceof Error ? e.message.replace(/^checkpoint: /, '') : String(e));
      }
      return { checkpoint: { runId: '', runName: path.basename(abs), step }, path: abs, stored: false };
    }
    if (!existsSync(path.join(abs, 'state.json')) || !existsSync(path.join(abs, 'model.safetensors'))) {
      throw new ServiceError('not_found', `${folder} is not a Loupe checkpoint folder (state.json, model.safetensors), nor a Hugging Face model folder (config.json, model.safetensors)`);
    }
    const row = store.checkpoints.findByPath(abs);
    if (row) return resolveRef({ runId: row.runId, step: row.step });
    let step = 0;
    try {
      const state = JSON.parse(readFileSync(path.join(abs, 'state.json'), 'utf8')) as { step?: unknown };
      if (typeof state.step === 'number') step = state.step;
    } catch {
      throw new ServiceError('bad_request', `${folder}: state.json is not valid JSON`);
    }
    return { checkpoint: { runId: '', runName: path.basename(abs), step }, path: abs, stored: false };
  };

  const resolveTarget = (t: SampleTarget): Resolved => ('path' in t ? resolvePath(t.path) : resolveRef(t));

  const parseSettings = (raw: z.input<typeof SampleSettings> | undefined): SampleSettings => {
    const parsed = SampleSettings.safeParse(raw ?? {});
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new ServiceError('bad_request', `settings.${i?.path.map(String).join('.')}: ${i?.message}`);
    }
    return parsed.data;
  };

  const toSample = (
    id: string,
    r: Resolved,
    prompt: string,
    settings: SampleSettings,
    expectedKeywords: ExpectedKeywords | null,
    result: SampleJobResult,
    gridId: string | null,
    createdAt: number,
  ): Sample => ({
    id,
    runId: r.checkpoint.runId,
    runName: r.checkpoint.runName,
    step: result.step,
    prompt,
    settings,
    expectedKeywords,
    text: result.text,
    pieces: result.pieces,
    entropies: result.entropies,
    diagnostics: result.diagnostics,
    memorizedSource: result.memorizedSource,
    finish: result.finish,
    warnings: result.warnings,
    gridId,
    createdAt,
    durationMs: result.generateMs,
    tokensPerS: result.generateMs > 0 && result.tokenIds.length > 0 ? (result.tokenIds.length * 1000) / result.generateMs : null,
  });

  /** Runs one job; emits phase/token/done/error events and stores the finished sample. */
  const runOne = (
    r: Resolved,
    prompt: string,
    settings: SampleSettings,
    expectedKeywords: ExpectedKeywords | null,
    memorization: boolean,
    grid: { id: string; row: number; col: number } | null,
    onPhase?: (phase: SamplePhase) => void,
  ): { sampleId: string; done: Promise<{ sample: Sample; tokenIds: number[] }> } => {
    const sampleId = newId('s');
    const createdAt = Date.now();
    const job: SampleJob = {
      id: sampleId,
      checkpointPath: r.path,
      prompt,
      settings,
      expectedKeywords,
      // A folder from elsewhere was not trained on a corpus Loupe knows: nothing to look memorised text up in.
      memorizationCacheDir: memorization && !isForeignHfFolder(r.path) ? cacheDir : null,
    };
    const done = new Promise<{ sample: Sample; tokenIds: number[] }>((resolve, reject) => {
      runner.submit(
        job,
        {
          phase: (phase) => {
            onPhase?.(phase);
            events.emit('sample.phase', { sampleId, phase });
          },
          token: (index, piece, entropy) => events.emit('sample.token', { sampleId, index, piece, entropy }),
          done: (result) => {
            const sample = toSample(sampleId, r, prompt, settings, expectedKeywords, result, grid?.id ?? null, createdAt);
            try {
              if (r.stored) samples.insert({ sample, tokenIds: result.tokenIds, gridRow: grid?.row ?? null, gridCol: grid?.col ?? null });
            } catch (e) {
              const message = `the sample could not be stored: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
              events.emit('sample.error', { sampleId, message });
              reject(new ServiceError('unavailable', message));
              return;
            }
            events.emit('sample.done', { sampleId, sample });
            resolve({ sample, tokenIds: result.tokenIds });
          },
          error: (message) => {
            events.emit('sample.error', { sampleId, message });
            reject(new ServiceError('unavailable', message));
          },
        },
        grid !== null,
      );
    });
    // Callers of the API never await `done`; a failure has already gone out as a sample.error event.
    done.catch(() => {});
    return { sampleId, done };
  };

  const gridFinished = (g: Grid): boolean => g.cells.every((c) => c.status !== 'pending' && c.status !== 'running');

  const columnSummary = (state: GridState, col: number): GridColumn['summary'] => {
    const cols = state.grid.columns.length;
    const done = state.grid.cells
      .filter((c) => c.col === col && c.status === 'done' && c.sample)
      .map((c) => ({ tokens: state.tokenIds.get(c.row * cols + c.col) ?? [], diagnostics: c.sample!.diagnostics }));
    return done.length === 0 ? null : summarizePromptSet(done);
  };

  const settleGrid = (state: GridState): void => {
    const g = state.grid;
    if (g.status === 'running' && gridFinished(g)) {
      g.status = g.cells.some((c) => c.status === 'cancelled') ? 'cancelled' : 'done';
      samples.setGridStatus(g.id, g.status);
    }
    if (g.status !== 'running') {
      events.emit('sample.gridDone', { gridId: g.id, grid: g });
      for (const w of state.waiters.splice(0)) w(g);
    }
  };

  const promptSetById = (id: string): PromptSet => {
    if (id === builtInDiagnosticSet.id) return builtInDiagnosticSet;
    const set = samples.getPromptSet(id);
    if (!set) throw new ServiceError('not_found', `no prompt set "${id}"`);
    return set;
  };

  const gridFromStore = (gridId: string): Grid => {
    const rec = samples.getGrid(gridId);
    if (!rec) throw new ServiceError('not_found', `no grid "${gridId}"`);
    const spec = GridSpec.safeParse(rec.spec);
    if (!spec.success) throw new ServiceError('unavailable', `grid "${gridId}" is stored in a form this version cannot read`);
    const cols = spec.data.columns.length;
    const state: GridState = { grid: emptyGrid(gridId, spec.data, rec.createdAt), tokenIds: new Map(), waiters: [] };
    for (const s of samples.gridSamples(gridId)) {
      if (s.gridRow === null || s.gridCol === null) continue;
      const i = s.gridRow * cols + s.gridCol;
      const cell = state.grid.cells[i];
      if (!cell) continue;
      Object.assign(cell, { status: 'done', sampleId: s.sample.id, sample: s.sample, error: null } satisfies Partial<GridCell>);
      state.tokenIds.set(i, s.tokenIds);
    }
    // Cells that never finished belonged to a process that is gone.
    for (const c of state.grid.cells) if (c.status === 'pending') c.status = 'cancelled';
    state.grid.columns.forEach((c, i) => (c.summary = columnSummary(state, i)));
    state.grid.status = rec.status === 'done' ? 'done' : 'cancelled';
    return state.grid;
  };

  return {
    checkpoints(opts = {}) {
      return store.runs.list({ includeArchived: opts.includeArchived ?? false }).map((run) => ({
        runId: run.id,
        runName: run.name,
        status: run.status,
        steps: run.steps,
        plannedSteps: run.plannedSteps,
        createdAt: run.createdAt,
        checkpoints: store.checkpoints
          .list(run.id)
          .reverse()
          .map((c) => ({ step: c.step, valLoss: c.valLoss, createdAt: c.createdAt })),
      }));
    },

    generate(p) {
      const settings = parseSettings(p.settings);
      const r = resolveTarget(p.target);
      const keywords = p.expectedKeywords ?? builtInKeywords(p.prompt);
      const { sampleId, done } = runOne(r, p.prompt, settings, keywords, p.memorization ?? true, null);
      const sample = done.then((d) => d.sample);
      sample.catch(() => {});
      return { sampleId, checkpoint: r.checkpoint, done: sample };
    },

    cancel(id) {
      const state = grids.get(id);
      if (state && state.grid.status === 'running') {
        for (const c of state.grid.cells) {
          if (c.status === 'pending' && c.sampleId) runner.cancel(c.sampleId);
        }
        for (const c of state.grid.cells) if (c.status === 'running' && c.sampleId) runner.cancel(c.sampleId);
        return true;
      }
      return runner.cancel(id);
    },

    list(opts) {
      const runId = opts.runId === undefined ? undefined : runIdOf(opts.runId);
      return samples.list({ runId, gridId: opts.gridId, limit: opts.limit ?? 100, before: opts.before });
    },

    get(sampleId) {
      const s = samples.get(sampleId);
      if (!s) throw new ServiceError('not_found', `no sample "${sampleId}"`);
      return s.sample;
    },

    grid(p) {
      if ((p.promptSetId === undefined) === (p.prompts === undefined)) throw new ServiceError('bad_request', 'give either promptSetId or prompts');
      const settings = parseSettings(p.settings);
      const rows: GridSpec['rows'] = p.promptSetId
        ? promptSetById(p.promptSetId).prompts.map((x) => ({ id: x.id, prompt: x.prompt, expectedKeywords: x.expectedKeywords }))
        : (p.prompts ?? []).map((x, i) => ({ id: x.id ?? `p${i + 1}`, prompt: x.prompt, expectedKeywords: x.expectedKeywords ?? builtInKeywords(x.prompt) ?? [] }));
      if (rows.length === 0) throw new ServiceError('bad_request', 'a grid needs at least one prompt');
      const resolved = p.checkpoints.map((c) => resolveRef({ runId: c.runId, step: c.step ?? null }));
      const spec: GridSpec = { promptSetId: p.promptSetId ?? null, rows, columns: resolved.map((r) => r.checkpoint), settings };
      const gridId = newId('g');
      const createdAt = Date.now();
      samples.createGrid({ id: gridId, spec, status: 'running', createdAt });
      const state: GridState = { grid: emptyGrid(gridId, spec, createdAt), tokenIds: new Map(), waiters: [] };
      grids.set(gridId, state);
      const cols = resolved.length;
      // Column-major, so each checkpoint is loaded once in the worker.
      resolved.forEach((r, col) => {
        rows.forEach((row, rowIndex) => {
          const i = rowIndex * cols + col;
          const keywords = row.expectedKeywords.length > 0 ? row.expectedKeywords : null;
          const cell = state.grid.cells[i]!;
          const onPhase = (phase: SamplePhase): void => {
            if (phase !== 'queued' && cell.status === 'pending') cell.status = 'running';
          };
          const { sampleId, done } = runOne(r, row.prompt, settings, keywords, p.memorization ?? true, { id: gridId, row: rowIndex, col }, onPhase);
          cell.sampleId = sampleId;
          done
            .then(({ sample, tokenIds }) => {
              Object.assign(cell, { status: sample.finish === 'cancelled' ? 'cancelled' : 'done', sample, error: null } satisfies Partial<GridCell>);
              state.tokenIds.set(i, tokenIds);
            })
            .catch((e: unknown) => {
              const message = e instanceof Error ? e.message : String(e);
              Object.assign(cell, { status: message === 'cancelled before it started' ? 'cancelled' : 'error', error: message } satisfies Partial<GridCell>);
            })
            .finally(() => {
              const column = state.grid.columns[col]!;
              column.summary = columnSummary(state, col);
              events.emit('sample.gridCell', { gridId, cell, column });
              settleGrid(state);
            });
        });
      });
      return state.grid;
    },

    gridGet(gridId) {
      return grids.get(gridId)?.grid ?? gridFromStore(gridId);
    },

    waitForGrid(gridId) {
      const state = grids.get(gridId);
      if (!state) return Promise.resolve(gridFromStore(gridId));
      if (state.grid.status !== 'running') return Promise.resolve(state.grid);
      return new Promise((resolve) => state.waiters.push(resolve));
    },

    promptSets() {
      const saved = samples.listPromptSets().map((s) => ({ set: s.set, builtIn: false, updatedAt: s.updatedAt }));
      return [{ set: builtInDiagnosticSet, builtIn: true, updatedAt: null }, ...saved];
    },

    savePromptSet(raw) {
      const parsed = parsePromptSet(raw);
      if (!parsed.ok) {
        throw new ServiceError('bad_request', `prompt set: ${parsed.issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
      }
      if (parsed.set.id === builtInDiagnosticSet.id) throw new ServiceError('conflict', `"${builtInDiagnosticSet.id}" is the built-in set; save under another id`);
      const now = Date.now();
      samples.savePromptSet(parsed.set, now);
      return { set: parsed.set, builtIn: false, updatedAt: now };
    },

    deletePromptSet(id) {
      if (id === builtInDiagnosticSet.id) throw new ServiceError('conflict', 'the built-in set cannot be deleted');
      return samples.deletePromptSet(id);
    },

    close: () => runner.close(),
  };
}

function emptyGrid(id: string, spec: GridSpec, createdAt: number): Grid {
  const cells: GridCell[] = [];
  spec.rows.forEach((_r, row) =>
    spec.columns.forEach((_c, col) => cells.push({ row, col, status: 'pending', sampleId: null, sample: null, error: null })),
  );
  return {
    id,
    status: 'running',
    promptSetId: spec.promptSetId,
    rows: spec.rows,
    columns: spec.columns.map((checkpoint) => ({ checkpoint, summary: null })),
    settings: spec.settings,
    cells,
    createdAt,
  };
}
