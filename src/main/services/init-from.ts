// Resolves a run's `init_from` (RUN, RUN@STEP or a checkpoint folder) to the checkpoint folder whose weights it
// starts from, and refuses, before any row exists, a source whose model shape or tokenizer differs from the run's.
import fs from 'node:fs';
import path from 'node:path';
import type { RunConfig } from '../../shared/config.ts';
import { CheckpointState } from '../engine/checkpoint/checkpoint.ts';
import { hfCheckpointState, isForeignHfFolder } from '../engine/checkpoint/hf-import.ts';
import type { Store } from '../store/store.ts';
import { StoreError } from '../store/db.ts';
import { ServiceError } from './errors.ts';

export interface InitSource {
  /** The checkpoint folder the worker loads weights (and the tokenizer) from. */
  path: string;
  /** How the run records its parent: "RUN_ID@STEP", or the folder for a checkpoint from elsewhere. */
  ref: string;
  /** The parent run's id, when the source is a Loupe run. */
  parentRunId: string | null;
}

const bad = (message: string): ServiceError => new ServiceError('bad_request', `init_from: ${message}`);

function readState(folder: string): CheckpointState {
  if (isForeignHfFolder(folder)) {
    // A Hugging Face folder from elsewhere (a PyTorch job's checkpoint): its shape and tokenizer are checked the same way.
    try {
      return hfCheckpointState(folder);
    } catch (e) {
      throw bad(e instanceof Error ? e.message.replace(/^checkpoint: /, '') : String(e));
    }
  }
  const file = path.join(folder, 'state.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    if (fs.existsSync(path.join(folder, 'config.json')))
      throw bad(`${folder} holds a Hugging Face model but no Loupe state.json; import or sample it first, or start from a Loupe run`);
    throw bad(`${folder} is not a Loupe checkpoint (no readable state.json)`);
  }
  const parsed = CheckpointState.safeParse(raw);
  if (!parsed.success) throw bad(`${file} is not a valid Loupe checkpoint state (${parsed.error.issues[0]?.path.join('.') ?? 'invalid'})`);
  return parsed.data;
}

/** Model fields that must agree for the weights to fit; dropout is a training choice and may change. */
function shapeDifferences(source: RunConfig['model'], run: RunConfig['model']): string[] {
  const keys = new Set([...Object.keys(source), ...Object.keys(run)]);
  keys.delete('dropout');
  const out: string[] = [];
  for (const k of [...keys].sort()) {
    const a = JSON.stringify((source as Record<string, unknown>)[k]);
    const b = JSON.stringify((run as Record<string, unknown>)[k]);
    if (a !== b) out.push(`model.${k} is ${b ?? 'unset'} here but ${a ?? 'unset'} in the source`);
  }
  return out;
}

function checkCompatible(state: CheckpointState, config: RunConfig, where: string): void {
  const diffs = shapeDifferences(state.config.model, config.model);
  if (state.tokenizer.kind !== config.data.tokenizer)
    diffs.push(`data.tokenizer is "${config.data.tokenizer}" here but "${state.tokenizer.kind}" in the source`);
  if (diffs.length > 0) throw bad(`${where} does not fit this run: ${diffs.join('; ')}`);
}

export function resolveInitFrom(store: Store, ref: string, config: RunConfig): InitSource {
  const asFolder = path.resolve(ref);
  if (fs.existsSync(asFolder) && fs.statSync(asFolder).isDirectory()) {
    const state = readState(asFolder);
    checkCompatible(state, config, asFolder);
    return { path: asFolder, ref: asFolder, parentRunId: null };
  }
  const m = /^(.+?)(?:@(\d+))?$/.exec(ref.trim())!;
  let runId: string;
  try {
    runId = store.runs.resolveId(m[1]!);
  } catch (e) {
    if (e instanceof StoreError) throw bad(`"${ref}" is neither a checkpoint folder nor a run (${e.message})`);
    throw e;
  }
  const checkpoints = store.checkpoints.list(runId);
  if (checkpoints.length === 0) throw bad(`run ${runId} has no checkpoint on disk to start from`);
  const step = m[2] === undefined ? null : Number(m[2]);
  const ck = step === null ? checkpoints[checkpoints.length - 1]! : checkpoints.find((c) => c.step === step);
  if (!ck) throw bad(`run ${runId} has no checkpoint at step ${step} (it has ${checkpoints.map((c) => c.step).join(', ')})`);
  const folder = ck.path;
  checkCompatible(readState(folder), config, `run ${runId} at step ${ck.step}`);
  return { path: folder, ref: `${runId}@${ck.step}`, parentRunId: runId };
}
