// Checkpoint folders: model.safetensors + config.json (a Hugging Face model folder as is), and beside them
// optimizer.safetensors (`<optimizer>.<slot>.<param>`) and state.json (step, RNG and data cursor, run config,
// tokenizer). Written atomically. Version 1 (AdamW state as exp_avg.<param>, exp_avg_sq.<param>) still loads.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { RunConfig } from '../../../shared/config.ts';
import { TokenizerJson } from '../data/tokenizer.ts';
import type { OptimizerState } from '../optim/optimizer.ts';
import type { ModelSpec } from '../model/types.ts';
import { writeFolderAtomic, writeFileSynced } from './atomic.ts';
import { hfConfig, hfTensors, paramsFromHf } from './hf.ts';
import { MOE_HF_REFUSAL } from '../../../shared/models/moe.ts';
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts';
import { hfCheckpointState, isForeignHfFolder, normalizeHfNames } from './hf-import.ts';

const RngStateJson = z.tuple([z.number(), z.number(), z.number(), z.number()]);

export const CheckpointState = z.object({
  format: z.literal('loupe-checkpoint'),
  /** 2 names optimizer state `<optimizer>.<slot>.<param>`; 1 had AdamW's exp_avg.<param> and exp_avg_sq.<param>. */
  version: z.union([z.literal(1), z.literal(2)]),
  /** Optimizer updates completed. */
  step: z.number().int().min(0),
  config: RunConfig,
  vocabSize: z.number().int().positive(),
  tokenizer: TokenizerJson,
  dropoutRng: RngStateJson,
  dataCursor: RngStateJson,
  tokensSeen: z.number().min(0),
  valLoss: z.number().nullable(),
  backend: z.string(),
});
export type CheckpointState = z.infer<typeof CheckpointState>;

/** The version saveCheckpoint writes. */
export const CHECKPOINT_VERSION = 2;

export interface CheckpointContents {
  state: CheckpointState;
  spec: ModelSpec;
  /** Model parameters by HF name (zero-filled biases of a bias-free model are dropped). */
  params: Map<string, Float32Array>;
  optimizer: OptimizerState;
}

export interface WrittenCheckpoint {
  path: string;
  /** sha256 of model.safetensors. */
  sha256: string;
  /** Total bytes of the folder. */
  bytes: number;
}

export function checkpointFolderName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

export function specOf(state: CheckpointState): ModelSpec {
  return { ...state.config.model, vocab_size: state.vocabSize };
}

export function saveCheckpoint(
  dir: string,
  state: CheckpointState,
  params: Map<string, Float32Array>,
  optimizer: OptimizerState,
): WrittenCheckpoint {
  const spec = specOf(state);
  const model = encodeSafetensors(hfTensors(spec, params), { format: 'pt' });
  const optTensors = [];
  for (const [slot, values] of optimizer.slots) {
    for (const [name, data] of values) optTensors.push({ name: `${optimizer.optimizer}.${slot}.${name}`, shape: [data.length], data });
  }
  const opt = encodeSafetensors(optTensors, { optimizer: optimizer.optimizer, step: String(optimizer.step) });
  const files = {
    'model.safetensors': model,
    'config.json': JSON.stringify(hfConfig(spec), null, 2),
    'optimizer.safetensors': opt,
    'state.json': JSON.stringify(state, null, 2),
  };
  const path = join(dir, checkpointFolderName(state.step));
  writeFolderAtomic(path, files);
  const bytes = Object.values(files).reduce((n, f) => n + (typeof f === 'string' ? Buffer.byteLength(f) : f.length), 0);
  return { path, sha256: createHash('sha256').update(model).digest('hex'), bytes };
}

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `checkpoint: ${what} not found at ${path}` : `checkpoint: ${what} is not valid JSON (${path})`, { cause: e });
  }
}

function readBytes(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new Error(`checkpoint: ${what} not found at ${path}`);
  }
}

export function loadCheckpoint(path: string): CheckpointContents {
  if (isForeignHfFolder(path)) {
    // A Hugging Face folder from elsewhere: weights only, a fresh optimizer.
    const state = hfCheckpointState(path);
    const spec = specOf(state);
    const model = decodeSafetensors(readBytes(join(path, 'model.safetensors'), 'model.safetensors'), 'model.safetensors');
    return { state, spec, params: paramsFromHf(spec, normalizeHfNames(model.tensors)), optimizer: { optimizer: state.config.train.optimizer, step: 0, slots: new Map() } };
  }
  const parsed = CheckpointState.safeParse(readJson(join(path, 'state.json'), 'state.json'));
  if (!parsed.success) throw new Error(`checkpoint: state.json is invalid at ${path} (${parsed.error.issues[0]?.path.join('.')})`);
  const state = parsed.data;
  const spec = specOf(state);
  const model = decodeSafetensors(readBytes(join(path, 'model.safetensors'), 'model.safetensors'), 'model.safetensors');
  const params = paramsFromHf(spec, model.tensors);
  const opt = decodeSafetensors(readBytes(join(path, 'optimizer.safetensors'), 'optimizer.safetensors'), 'optimizer.safetensors');
  const optimizer = state.version === 1 ? optimizerStateV1(opt, state.step) : optimizerStateV2(opt, state.config.train.optimizer, state.step);
  return { state, spec, params, optimizer };
}

type DecodedTensors = ReturnType<typeof decodeSafetensors>;

/** Version 1: AdamW only, exp_avg.<param> and exp_avg_sq.<param>, the step count in metadata `t`. */
function optimizerStateV1(opt: DecodedTensors, step: number): OptimizerState {
  const slots = new Map([['exp_avg', new Map<string, Float32Array>()], ['exp_avg_sq', new Map<string, Float32Array>()]]);
  for (const [name, t] of opt.tensors) {
    const slot = ['exp_avg_sq', 'exp_avg'].find((s) => name.startsWith(`${s}.`));
    if (slot) slots.get(slot)!.set(name.slice(slot.length + 1), t.data);
  }
  return { optimizer: 'adamw', step: Number(opt.metadata.t ?? step), slots };
}

/** Version 2: `<optimizer>.<slot>.<param>` (slot names have no dots; parameter names do). */
function optimizerStateV2(opt: DecodedTensors, optimizer: OptimizerState['optimizer'], step: number): OptimizerState {
  const slots = new Map<string, Map<string, Float32Array>>();
  const prefix = `${optimizer}.`;
  for (const [name, t] of opt.tensors) {
    if (!name.startsWith(prefix)) throw new Error(`checkpoint: optimizer.safetensors holds ${name}, not state of ${optimizer}`);
    const rest = name.slice(prefix.length);
    const dot = rest.indexOf('.');
    if (dot <= 0) throw new Error(`checkpoint: optimizer.safetensors holds ${name}, not <optimizer>.<slot>.<param>`);
    const slot = rest.slice(0, dot);
    if (!slots.has(slot)) slots.set(slot, new Map());
    slots.get(slot)!.set(rest.slice(dot + 1), t.data);
  }
  return { optimizer, step: Number(opt.metadata.step ?? step), slots };
}

/** Writes a plain Hugging Face model folder (config.json + model.safetensors + Loupe's tokenizer) for `loupe export --hf`. */
export function exportHfModel(checkpointPath: string, outDir: string): { files: string[] } {
  const parsed = CheckpointState.safeParse(readJson(join(checkpointPath, 'state.json'), 'state.json'));
  if (!parsed.success) throw new Error(`checkpoint: state.json is invalid at ${checkpointPath}`);
  if (parsed.data.config.model.moe) throw new Error(`export --hf: ${MOE_HF_REFUSAL}`);
  const files: Record<string, Uint8Array | string> = {
    'config.json': readBytes(join(checkpointPath, 'config.json'), 'config.json'),
    'model.safetensors': readBytes(join(checkpointPath, 'model.safetensors'), 'model.safetensors'),
    'loupe_tokenizer.json': JSON.stringify(parsed.data.tokenizer),
  };
  mkdirSync(outDir, { recursive: true });
  for (const [name, data] of Object.entries(files)) {
    const tmp = join(outDir, `.${name}.tmp-${process.pid}`);
    writeFileSynced(tmp, data);
    renameSync(tmp, join(outDir, name));
  }
  return { files: Object.keys(files).map((f) => join(outDir, f)) };
}
