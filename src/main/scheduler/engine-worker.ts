// One interface over whatever runs a training engine: a worker thread (wasm/cpu backends) or a child process
// (native tfjs-node / WebGPU can segfault or abort outside V8). The scheduler only ever sees EngineWorker.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
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
  /** The run's configured backend (auto, tensorflow, webgpu, wasm, cpu): decides how the engine is isolated. */
  backend?: string;
}

export type EngineWorkerFactory = (opts: EngineWorkerOptions) => EngineWorker;

export interface ThreadWorkerOptions {
  /** The engine entry module; defaults to src/main/engine/worker.ts (or the bundled worker .js). */
  entry?: URL;
  resourceLimits?: ResourceLimits;
  env?: NodeJS.ProcessEnv;
}

/** The real engine's entry (tests pass the scripted engine as `entry` instead). */
function defaultEngineEntry(): URL {
  return workerEntryUrl('engine/worker');
}

/** The wasm heap lives outside V8's old generation, so this mainly bounds JS-side leaks in the engine. */
const defaultResourceLimits: ResourceLimits = { maxOldGenerationSizeMb: 4096, maxYoungGenerationSizeMb: 64 };

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

export interface ProcessWorkerOptions {
  entry?: URL;
  /** V8 heap limit of the child (--max-old-space-size). */
  maxOldGenerationSizeMb?: number;
  env?: NodeJS.ProcessEnv;
  /** Where the child's stdout and stderr go (default: our stderr). */
  output?: NodeJS.WritableStream;
}

/**
 * The engine in a forked Node process. A native crash (segfault, abort, CUDA out of memory) ends only that process;
 * main marks the run crashed. The child's stdout goes to our stderr so `--json` output stays clean.
 */
export function processWorkerFactory(opts: ProcessWorkerOptions = {}): EngineWorkerFactory {
  return ({ runId }) => {
    const entry = opts.entry ?? defaultEngineEntry();
    const file = fileURLToPath(entry);
    const heap = `--max-old-space-size=${opts.maxOldGenerationSizeMb ?? defaultResourceLimits.maxOldGenerationSizeMb}`;
    // From source the child loads TypeScript through tsx, resolved from here so any working directory works.
    const execArgv = file.endsWith('.ts') ? ['--import', import.meta.resolve('tsx'), heap] : [heap];
    const child = fork(file, [], {
      execArgv,
      env: { ...(opts.env ?? process.env), LOUPE_RUN_ID: runId },
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const output = opts.output ?? process.stderr;
    child.stdout?.pipe(output, { end: false });
    child.stderr?.pipe(output, { end: false });
    let spawnError: Error | null = null;
    const exitListeners: ((exit: WorkerExit) => void)[] = [];
    let ended: WorkerExit | null = null;
    child.on('error', (e) => {
      spawnError = e;
    });
    // 'close' comes after the IPC channel has delivered everything the child sent, unlike 'exit'.
    child.on('close', (code, signal) => {
      const error = spawnError ?? (signal ? Object.assign(new Error(`the training process was killed by ${signal}${signal === 'SIGABRT' || signal === 'SIGSEGV' ? ' (a native crash or out of memory)' : ''}`), { code: signal }) : null);
      ended = { code: error ? null : code, error };
      for (const l of exitListeners) l(ended);
    });
    return {
      send: (msg) => {
        if (child.connected) child.send(msg);
      },
      onMessage: (listener) => void child.on('message', listener),
      onExit: (listener) => void exitListeners.push(listener),
      terminate: async () => {
        if (ended) return;
        const done = new Promise<void>((resolve) => child.once('close', () => resolve()));
        child.kill('SIGKILL');
        await done;
      },
    };
  };
}

export type Isolation = 'thread' | 'process';

/** Whether a native TF.js backend is installed here (the optional tfjs-node packages). */
function nativeTensorflowInstalled(): boolean {
  const require = createRequire(import.meta.url);
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      require.resolve(`${pkg}/package.json`);
      return true;
    } catch {
      // not installed: the usual case where libtensorflow could not be downloaded
    }
  }
  return false;
}

/**
 * How a run's engine is isolated: LOUPE_ISOLATION=thread|process forces it; otherwise native backends (tensorflow,
 * webgpu, or auto where tfjs-node is installed and would be picked first) run in a process, wasm and cpu in a thread.
 */
export function isolationFor(backend: string | undefined, env: NodeJS.ProcessEnv = process.env, nativeInstalled = nativeTensorflowInstalled): Isolation {
  const forced = env['LOUPE_ISOLATION'];
  if (forced === 'thread' || forced === 'process') return forced;
  if (backend === 'tensorflow' || backend === 'webgpu') return 'process';
  if (backend === 'auto' || backend === undefined) return nativeInstalled() ? 'process' : 'thread';
  return 'thread';
}

/** The default: each run in a thread or a process, as isolationFor decides from its backend. */
export function isolatingWorkerFactory(opts: { thread?: ThreadWorkerOptions; process?: ProcessWorkerOptions } = {}): EngineWorkerFactory {
  const thread = threadWorkerFactory(opts.thread);
  const proc = processWorkerFactory(opts.process);
  return (o) => (isolationFor(o.backend) === 'process' ? proc(o) : thread(o));
}
