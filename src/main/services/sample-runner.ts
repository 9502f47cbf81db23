// Main's side of the sample worker: one worker thread, one job at a time, interactive samples ahead of grid cells.
// A crashed worker fails only its current job; the next job starts a fresh one. An idle worker is let go.
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../worker-spawn.ts';
import { FromSampleWorker, type SampleJob, type SampleJobResult, type ToSampleWorker } from '../../shared/sample-worker-protocol.ts';
import type { SamplePhase } from '../../shared/api/samples.ts';

export interface SampleWorkerHandle {
  send(msg: ToSampleWorker): void;
  onMessage(listener: (msg: unknown) => void): void;
  /** Called once, however the worker ends; error is its uncaught error, if any. */
  onExit(listener: (error: Error | null) => void): void;
  /** Whether the worker keeps the process alive (only while it has work). */
  setActive(active: boolean): void;
  terminate(): Promise<void>;
}

export type SampleWorkerFactory = () => SampleWorkerHandle;

const threadSampleWorker: SampleWorkerFactory = () => {
  const worker: Worker = spawnWorker('engine/sample-worker', {}, { maxOldGenerationSizeMb: 4096, maxYoungGenerationSizeMb: 64 });
  let lastError: Error | null = null;
  worker.on('error', (e: Error) => {
    lastError = e;
  });
  return {
    send: (msg) => worker.postMessage(msg),
    onMessage: (listener) => void worker.on('message', listener),
    onExit: (listener) => void worker.on('exit', () => listener(lastError)),
    setActive: (active) => (active ? worker.ref() : worker.unref()),
    terminate: async () => {
      await worker.terminate();
    },
  };
};

export interface JobCallbacks {
  phase(phase: SamplePhase): void;
  token(index: number, piece: string, entropy: number): void;
  done(result: SampleJobResult): void;
  error(message: string): void;
}

interface Pending {
  job: SampleJob;
  callbacks: JobCallbacks;
}

export class SampleRunner {
  private worker: SampleWorkerHandle | null = null;
  private current: Pending | null = null;
  private readonly interactive: Pending[] = [];
  private readonly background: Pending[] = [];
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly factory: SampleWorkerFactory = threadSampleWorker,
    private readonly idleMs = 60_000,
  ) {}

  /** Queues a job; `background` jobs (grid cells) wait behind every interactive one. */
  submit(job: SampleJob, callbacks: JobCallbacks, background = false): void {
    if (this.closed) {
      callbacks.error('sampling is shut down');
      return;
    }
    (background ? this.background : this.interactive).push({ job, callbacks });
    callbacks.phase('queued');
    this.next();
  }

  /** Cancels a queued or running job; false when no job has that id. */
  cancel(id: string): boolean {
    for (const q of [this.interactive, this.background]) {
      const i = q.findIndex((p) => p.job.id === id);
      if (i >= 0) {
        const [p] = q.splice(i, 1);
        p!.callbacks.error('cancelled before it started');
        return true;
      }
    }
    if (this.current?.job.id === id && this.worker) {
      this.worker.send({ type: 'cancel', id });
      return true;
    }
    return false;
  }

  isActive(id: string): boolean {
    return this.current?.job.id === id || [...this.interactive, ...this.background].some((p) => p.job.id === id);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of [...this.interactive.splice(0), ...this.background.splice(0)]) p.callbacks.error('sampling is shut down');
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const w = this.worker;
    this.worker = null;
    const cur = this.current;
    this.current = null;
    cur?.callbacks.error('sampling is shut down');
    await w?.terminate();
  }

  private ensureWorker(): SampleWorkerHandle {
    if (this.worker) return this.worker;
    const w = this.factory();
    this.worker = w;
    w.onMessage((raw) => this.onMessage(w, raw));
    w.onExit((error) => {
      if (this.worker !== w) return;
      this.worker = null;
      const cur = this.current;
      this.current = null;
      if (cur) cur.callbacks.error(`the sample worker stopped${error ? `: ${error.message.split('\n')[0]}` : ''}`);
      this.next();
    });
    return w;
  }

  private onMessage(w: SampleWorkerHandle, raw: unknown): void {
    if (this.worker !== w) return;
    const parsed = FromSampleWorker.safeParse(raw);
    const cur = this.current;
    if (!parsed.success || !cur || parsed.data.id !== cur.job.id) return;
    const msg = parsed.data;
    if (msg.type === 'phase') cur.callbacks.phase(msg.phase);
    else if (msg.type === 'token') cur.callbacks.token(msg.index, msg.piece, msg.entropy);
    else {
      this.current = null;
      if (msg.type === 'done') cur.callbacks.done(msg.result);
      else cur.callbacks.error(msg.message);
      this.next();
    }
  }

  private next(): void {
    if (this.closed || this.current) return;
    const p = this.interactive.shift() ?? this.background.shift();
    if (!p) {
      this.worker?.setActive(false);
      if (this.worker && !this.idleTimer) {
        this.idleTimer = setTimeout(() => {
          this.idleTimer = null;
          const w = this.worker;
          if (w && !this.current) {
            this.worker = null;
            void w.terminate();
          }
        }, this.idleMs);
        this.idleTimer.unref();
      }
      return;
    }
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    this.current = p;
    const w = this.ensureWorker();
    w.setActive(true);
    w.send({ type: 'sample', job: p.job });
  }
}
