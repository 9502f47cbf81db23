// Starts a worker from its TypeScript source (CLI, tests, browser mode via tsx) or from the bundled
// sibling .js (packaged Electron), so callers name an entry and never care which build they run in.
import { Worker, type ResourceLimits } from 'node:worker_threads';

export type WorkerEntry = 'engine/worker' | 'engine/probe-worker' | 'engine/sample-worker';

const fromSource = import.meta.url.endsWith('.ts');

export function workerEntryUrl(entry: WorkerEntry): URL {
  if (fromSource) return new URL(`./${entry}.ts`, import.meta.url);
  return new URL(`./${entry.replace('/', '-')}.js`, import.meta.url);
}

export function spawnWorker(entry: WorkerEntry, data: Record<string, unknown> = {}, resourceLimits?: ResourceLimits): Worker {
  const entryUrl = workerEntryUrl(entry);
  if (!fromSource) return new Worker(entryUrl, { workerData: data, resourceLimits });
  return new Worker(new URL('./ts-worker-boot.mjs', import.meta.url), {
    workerData: { ...data, __entry: entryUrl.href },
    resourceLimits,
  });
}
