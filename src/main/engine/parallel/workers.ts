// How many data-parallel workers a run gets: train.workers when set, otherwise one per available core, no more than
// the batch has sequences or the machine's free memory holds replicas (each worker keeps its own weights,
// gradients, optimizer state and activations), and one for models whose step is too small to share. Native and
// WebGPU backends already use every core: one worker.
import os from 'node:os';
import type { RunConfig } from '../../../shared/config.ts';
import { countParams, trainingMemory } from '../../../shared/models/registry.ts';
import type { ModelSpec } from '../model/types.ts';
import { chooseMicroBatch } from '../microbatch.ts';
import { shardSize } from './shard.ts';

export interface WorkerHost {
  cores: number;
  freeMemory: number;
}

export interface WorkerChoice {
  workers: number;
  /** Why, in a few words (logged, and recorded on the run beside its backend). */
  why: string;
}

/** Beyond its estimate, each worker thread carries a V8 isolate, the wasm module and its copy of the data. */
const perWorkerOverhead = 256 * 1024 ** 2;

/**
 * Below this many FLOPs per optimizer step (6 · active params · tokens per update) a step takes a few milliseconds on
 * wasm, less than a second worker costs to start and to exchange gradients with. The default baseline is ~3.8e9.
 */
export const MIN_PARALLEL_STEP_FLOPS = 5e8;

export function hostWorkers(): WorkerHost {
  return { cores: os.availableParallelism(), freeMemory: os.freemem() };
}

export function chooseWorkers(config: RunConfig, backend: string, vocabSize: number, host: WorkerHost = hostWorkers()): WorkerChoice {
  const batch = config.train.batch_size;
  const asked = config.train.workers;
  if (backend !== 'wasm' && backend !== 'cpu') {
    return { workers: 1, why: asked != null && asked > 1 ? `train.workers applies to wasm and cpu; ${backend} runs one worker` : `${backend} uses one worker` };
  }
  if (asked != null) {
    return asked > batch ? { workers: batch, why: `train.workers ${asked}, capped at batch_size ${batch}` } : { workers: asked, why: `train.workers ${asked}` };
  }
  const spec: ModelSpec = { ...config.model, vocab_size: vocabSize };
  const stepFlops = 6 * countParams(spec).active * batch * config.model.block_size;
  if (host.cores > 1 && stepFlops < MIN_PARALLEL_STEP_FLOPS) return { workers: 1, why: 'auto: a step too small to share' };
  let n = Math.min(host.cores, batch);
  const perWorker = (workers: number): number => {
    const { microBatch } = chooseMicroBatch(spec, shardSize(batch, workers), config.train.micro_batch_size, backend);
    return trainingMemory(spec, config.train.optimizer, microBatch).total + perWorkerOverhead;
  };
  while (n > 1 && n * perWorker(n) > 0.8 * host.freeMemory) n -= 1;
  const limits = n < Math.min(host.cores, batch) ? 'free memory' : n === batch && batch < host.cores ? `batch_size ${batch}` : `${host.cores} cores`;
  return { workers: Math.max(1, n), why: `auto: ${limits}` };
}
