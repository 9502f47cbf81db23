// One interface over whatever runs a training engine: a worker thread today (wasm/cpu backends), a child
// process later (native tfjs-node can segfault outside V8). The scheduler only ever sees EngineWorker.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { ToWorker } from '../../shared/worker-protocol.ts';
import { workerEntryUrl } from '../worker-spawn.ts';

export interface WorkerExit {
  /** Exit code, or null when the worker died from an uncaught error. */
  code: number | null;
  /** The uncaught error or resource failure (e.g. ERR_WORKER_OUT_OF_MEMORY), if any. */
  error: (Error & { code?: string }) | null;
}

export interface EngineWorker {
  send(msg: ToWorker): void;
  /** Raw messages; the scheduler validates them against FromWorker. */
  onMessage(listener: (msg: unknown) => void): void;
  /** Called exactly once, however the worker ends. */
  onExit(listener: (exit: WorkerExit) => void): void;
  terminate(): Promise<void>;
}

export interface EngineWorkerOptions {
  runId: string;
}

export type EngineWorkerFactory = (opts: EngineWorkerOptions) => EngineWorker;

export interface ThreadWorkerOptions {
  /** The engine entry module; defaults to src/main/engine/worker.ts (or the bundled worker .js). */
  entry?: URL;
  resourceLimits?: ResourceLimits;
  env?: NodeJS.ProcessEnv;
}

/**
 * The default engine entry. LOUPE_ENGINE_ENTRY (a file path) substitutes another engine that speaks the
 * same protocol, which is how the scheduler and CLI tests drive a scripted engine.
 */
export function defaultEngineEntry(env: NodeJS.ProcessEnv = process.env): URL {
  const override = env['LOUPE_ENGINE_ENTRY'];
  if (override) return pathToFileURL(override);
  return workerEntryUrl('engine/worker');
}

/** The wasm heap lives outside V8's old generation, so this mainly bounds JS-side leaks in the engine. */
export const defaultResourceLimits: ResourceLimits = { maxOldGenerationSizeMb: 4096, maxYoungGenerationSizeMb: 64 };

export function threadWorkerFactory(opts: ThreadWorkerOptions = {}): EngineWorkerFactory {
  return ({ runId }) => {
    const entry = opts.entry ?? defaultEngineEntry();
    const resourceLimits = opts.resourceLimits ?? defaultResourceLimits;
    const fromSource = entry.pathname.endsWith('.ts');
    const worker = fromSource
      ? new Worker(new URL('../ts-worker-boot.mjs', import.meta.url), { workerData: { __entry: entry.href, runId }, resourceLimits, env: opts.env })
      : new Worker(entry, { workerData: { runId }, resourceLimits, env: opts.env });
    let lastError: (Error & { code?: string }) | null = null;
    const exitListeners: ((exit: WorkerExit) => void)[] = [];
    worker.on('error', (e: Error & { code?: string }) => {
      lastError = e;
    });
    worker.on('exit', (code) => {
      const exit: WorkerExit = { code: lastError ? null : code, error: lastError };
      for (const l of exitListeners) l(exit);
    });
    return {
      send: (msg) => worker.postMessage(msg),
      onMessage: (listener) => void worker.on('message', listener),
      onExit: (listener) => void exitListeners.push(listener),
      terminate: async () => {
        await worker.terminate();
      },
    };
  };
}
