// Whether a config can train on a backend at all: its memory estimate (from the family's layout) against what the
// backend can hold. Checked at validation (no run is created) and again once `auto` has picked its backend.
import os from 'node:os';
import { createRequire } from 'node:module';
import type { BackendName, ConfigIssue, RunConfig } from '../../shared/config.ts';
import { trainingMemory, countParams, type TrainingMemory } from '../../shared/models/registry.ts';
import type { ModelSpec } from '../../shared/models/layout.ts';
import { vocabSizeOf } from '../../shared/ablation/recipe.ts';
import { chooseMicroBatch } from './microbatch.ts';

const GiB = 1024 ** 3;

/** wasm32 addresses at most 4 GiB: the whole heap (weights, optimizer state, activations) lives in it. */
export const wasmHeapBytes = 4 * GiB;

/** Share of the machine's memory a CPU-side backend may plan to use (the OS and other programs need the rest). */
export const hostMemoryShare = 0.75;

export interface MemoryLimit {
  bytes: number;
  /** The limit in words, e.g. "the wasm backend's 4 GiB heap". */
  what: string;
  /** The backend whose micro-batch rule applies. */
  backend: string;
}

export interface HostFacts {
  totalMemory: number;
  /** Whether a backend `auto` tries before wasm (tfjs-node, WebGPU) is installed. */
  nativeInstalled: boolean;
}

// Not named `require`: the desktop build prepends its own `require` to each chunk, and a second one breaks it.
const requireHere = createRequire(import.meta.url);

function installed(pkg: string): boolean {
  try {
    requireHere.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

let nativeInstalled: boolean | null = null;

export function hostFacts(): HostFacts {
  // What is installed does not change while Loupe runs: look once.
  nativeInstalled ??= ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-webgpu'].some(installed);
  return { totalMemory: os.totalmem(), nativeInstalled };
}

export function formatBytes(n: number): string {
  if (n >= GiB) return `${(n / GiB).toFixed(n >= 10 * GiB ? 0 : 1)} GiB`;
  return `${Math.max(1, Math.round(n / 1024 ** 2))} MiB`;
}

function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  return `${(n / 1e3).toFixed(1)}k`;
}

/**
 * What `backend` can hold. `auto` is judged by the most capable backend it could pick here: without tfjs-node or
 * WebGPU installed it always lands on wasm; otherwise the host's memory bounds it until the choice is made.
 */
export function memoryLimit(backend: BackendName | string, host: HostFacts = hostFacts()): MemoryLimit {
  const onWasm = backend === 'wasm' || (backend === 'auto' && !host.nativeInstalled);
  if (onWasm) return { bytes: wasmHeapBytes, what: "the wasm backend's 4 GiB heap", backend: 'wasm' };
  const bytes = hostMemoryShare * host.totalMemory;
  return {
    bytes,
    what: `${Math.round(hostMemoryShare * 100)}% of this machine's ${formatBytes(host.totalMemory)} of memory (${formatBytes(bytes)}) for the ${backend} backend`,
    backend,
  };
}

export interface MemoryNeed extends TrainingMemory {
  paramCount: number;
  microBatch: number;
}

/** The estimate one training step holds, with the micro-batch the engine would choose on that backend. */
export function memoryNeed(config: RunConfig, backend: string, vocabSize?: number): MemoryNeed {
  // A char vocabulary is known once the corpus is read; before that, a byte-sized one stands in.
  const spec: ModelSpec = { ...config.model, vocab_size: vocabSize ?? vocabSizeOf(config.data.tokenizer) ?? 256 };
  const { microBatch } = chooseMicroBatch(spec, config.train.batch_size, config.train.micro_batch_size, backend);
  return { ...trainingMemory(spec, config.train.optimizer, microBatch), paramCount: countParams(spec).total, microBatch };
}

/** One sentence with every number, when the config cannot fit; null when it can. */
export function memoryFitProblem(config: RunConfig, backend: BackendName | string, opts: { vocabSize?: number; host?: HostFacts } = {}): string | null {
  const limit = memoryLimit(backend, opts.host);
  const need = memoryNeed(config, limit.backend, opts.vocabSize);
  if (need.total <= limit.bytes) return null;
  return `${describeNeed(config, need)}, more than ${limit.what}; ${advice}`;
}

const advice = 'make the model smaller (model.n_layer, model.d_model, model.block_size), lower train.micro_batch_size, or use another backend';

function describeNeed(config: RunConfig, need: MemoryNeed): string {
  const tokens = need.microBatch * config.model.block_size;
  return (
    `training this model needs about ${formatBytes(need.total)} (${formatCount(need.paramCount)} parameters: weights ${formatBytes(need.params)}, ` +
    `gradients ${formatBytes(need.grads)}, ${config.train.optimizer} state ${formatBytes(need.optimizer)}, activations ${formatBytes(need.activations)} ` +
    `for a micro-batch of ${need.microBatch} × ${config.model.block_size} = ${tokens} tokens)`
  );
}

/** The validation issue for a config that cannot fit its backend. */
export function memoryFitIssue(config: RunConfig, host?: HostFacts): ConfigIssue | null {
  const problem = memoryFitProblem(config, config.backend, { host });
  return problem === null ? null : { path: 'model', message: problem };
}

/**
 * Emscripten's out-of-memory abort says only "Aborted(). Build with -sASSERTIONS for more info."; say what it means
 * for this run, with the numbers validation uses.
 */
export function explainEngineFailure(message: string, config: RunConfig, backend: string, vocabSize?: number): string {
  if (!/^(RuntimeError: )?Aborted\(/.test(message)) return message;
  const limit = memoryLimit(backend);
  const need = memoryNeed(config, limit.backend, vocabSize);
  return `the ${backend} backend ran out of memory (Aborted()): ${describeNeed(config, need)}, and the limit is ${limit.what}; ${advice}`;
}
