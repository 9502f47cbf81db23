// Test helpers: services over a temporary data folder, training with the scripted engine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig, type RunConfigInput } from '../../../shared/config.ts';
import { createServices, type CreateServicesOptions, type Services } from '../../services.ts';
import { threadWorkerFactory } from '../engine-worker.ts';
import type { ResourceLimits } from 'node:worker_threads';

export const scriptedEngineEntry = new URL('./scripted-engine.ts', import.meta.url);

export function tempDir(prefix = 'loupe-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function scriptedServices(opts: Partial<CreateServicesOptions> & { resourceLimits?: ResourceLimits } = {}): Promise<Services> {
  return createServices({
    dataDir: opts.dataDir ?? tempDir(),
    monitorFactory: null,
    createWorker: threadWorkerFactory({ entry: scriptedEngineEntry, resourceLimits: opts.resourceLimits }),
    ...opts,
  });
}

/** A small valid config; the scripted engine reads only names, steps, eval/checkpoint cadence. */
export function tinyConfig(name: string, steps = 40, extra: Partial<RunConfigInput> = {}): RunConfigInput {
  const input: RunConfigInput = {
    name,
    train: { steps, warmup_steps: 0, batch_size: 2 },
    model: { n_layer: 1, n_head: 2, d_model: 16, block_size: 16 },
    eval: { every: 10, batches: 1 },
    checkpoint: { every: 10 },
    ...extra,
  };
  const r = resolveConfig(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return input;
}
