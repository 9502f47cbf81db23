// Data parallelism across worker threads: rank 0 (the run's training worker) starts N−1 replica workers that build
// the same model from the same seed or checkpoint; every step they share the batch, sum gradients in shared memory
// in rank order, and step alike. Rank 0 alone evaluates, checkpoints and reports. A replica that fails or dies
// aborts the group, and rank 0 fails the run with the replica's reason (its last checkpoint stays resumable).
import { Worker } from 'node:worker_threads';
import type { RunConfig } from '../../../shared/config.ts';
import type { ParallelRank, Trainer } from '../train.ts';
import { allocateSharedSum, Command, GroupAborted, SharedSum, type SharedSumBuffers } from './shared-sum.ts';

/** What a replica needs to build the same trainer as rank 0 (sent as workerData). */
export interface ReplicaData {
  rank: number;
  buffers: SharedSumBuffers;
  /** The backend rank 0 runs on (never auto: every rank must compute alike). */
  backend: string;
  config: RunConfig;
  resumeFrom: string | null;
  initFrom: string | null;
  text?: string;
}

/** Replica → rank 0. */
export type FromReplica = { type: 'ready'; flatLength: number } | { type: 'error'; message: string };

export interface GroupOptions {
  ranks: number;
  backend: string;
  resumeFrom?: string | null;
  initFrom?: string | null;
  text?: string;
  /** Compare every replica's weights with rank 0's, bit for bit, every this many steps (a debug mode; 0: never). */
  checkEvery?: number;
}

/** Replica workers are bounded like the training worker (the wasm heap lives outside this limit). */
const resourceLimits = { maxOldGenerationSizeMb: 4096, maxYoungGenerationSizeMb: 64 };

/**
 * Starts a replica: from source through the tsx boot file, or the bundled entry beside the engine worker this module
 * is bundled into. (Not through worker-spawn.ts: importing it here would move it into a chunk shared with main,
 * and electron-vite puts chunks in a sub-folder, away from the worker entries it locates by its own URL.)
 */
function spawnReplica(data: ReplicaData): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    return new Worker(new URL('../../ts-worker-boot.mjs', here), { workerData: { replica: data, __entry: new URL('../replica-worker.ts', here).href }, resourceLimits });
  }
  const entry = 'engine/replica-worker';
  return new Worker(new URL(`./${entry.replace('/', '-')}.js`, here), { workerData: { replica: data }, resourceLimits });
}

/** Rank 0's side of a group. Attach it with `trainer.parallel = group`; close() it whatever happens. */
export class ParallelGroup implements ParallelRank {
  readonly rank = 0;
  readonly ranks: number;
  /** Exposed so tests can kill one. */
  readonly workers: Worker[] = [];
  private readonly shared: SharedSum;
  private readonly checkEvery: number;
  private stepsSinceCheck = 0;
  /** Replica checks passed so far (tests read it). */
  checks = 0;
  private closing = false;
  private failure: string | null = null;
  private failed!: Promise<string>;
  private fail!: (why: string) => void;

  private constructor(
    private readonly trainer: Trainer,
    buffers: SharedSumBuffers,
    opts: GroupOptions,
  ) {
    this.ranks = opts.ranks;
    this.shared = new SharedSum(buffers, 0);
    this.checkEvery = opts.checkEvery ?? 0;
    this.failed = new Promise((resolve) => {
      this.fail = (why) => {
        if (this.failure !== null) return;
        this.failure = why;
        this.shared.abort();
        resolve(why);
      };
    });
  }

  /** Starts the replicas for `trainer` (already built, restored or initialised) and waits until each has built its own. */
  static async start(trainer: Trainer, opts: GroupOptions): Promise<ParallelGroup> {
    if (opts.ranks < 2) throw new Error('a data-parallel group needs at least 2 workers');
    const buffers = allocateSharedSum(opts.ranks, trainer.flatLength);
    const group = new ParallelGroup(trainer, buffers, opts);
    const ready: Promise<void>[] = [];
    for (let rank = 1; rank < opts.ranks; rank++) {
      const data: ReplicaData = {
        rank,
        buffers,
        backend: opts.backend,
        config: trainer.config,
        resumeFrom: opts.resumeFrom ?? null,
        initFrom: opts.initFrom ?? null,
        ...(opts.text !== undefined ? { text: opts.text } : {}),
      };
      const worker = spawnReplica(data);
      group.workers.push(worker);
      ready.push(group.watch(worker, rank));
    }
    try {
      await Promise.race([Promise.all(ready), group.failed.then((why) => Promise.reject(new Error(why)))]);
    } catch (e) {
      await group.close();
      throw e;
    }
    return group;
  }

  /** Resolves when the replica is ready; any failure or exit before close() fails the group. */
  private watch(worker: Worker, rank: number): Promise<void> {
    const who = `data-parallel worker ${rank + 1} of ${this.ranks}`;
    let lastError: string | null = null;
    return new Promise<void>((resolve) => {
      worker.on('message', (m: FromReplica) => {
        if (m.type === 'ready') {
          if (m.flatLength !== this.trainer.flatLength) this.fail(`${who} built a model of ${m.flatLength} values where worker 1 has ${this.trainer.flatLength}`);
          else resolve();
        } else lastError = m.message;
      });
      worker.on('error', (e) => {
        lastError ??= e.message;
      });
      worker.on('exit', (code) => {
        if (this.closing && lastError === null) return;
        this.fail(`${who} ${lastError !== null ? `failed: ${lastError}` : `exited unexpectedly (code ${code})`}`);
      });
    });
  }

  /** Rethrows a group abort as the replica's reason, once it has arrived. */
  private async explain<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (e) {
      if (!(e instanceof GroupAborted)) throw e;
      const why = await Promise.race([this.failed, sleep(5000).then(() => 'a data-parallel worker stopped')]);
      throw new Error(why, { cause: e });
    }
  }

  async beginStep(): Promise<void> {
    if (this.checkEvery > 0 && this.stepsSinceCheck >= this.checkEvery) await this.checkReplicas();
    await this.explain(this.shared.command(Command.Step));
    this.stepsSinceCheck += 1;
  }

  async beginEval(): Promise<void> {
    await this.explain(this.shared.command(Command.Eval));
  }

  /** Throws unless every replica's weights equal rank 0's bit for bit. */
  async checkReplicas(): Promise<void> {
    await this.explain(this.shared.command(Command.Check));
    const n = this.trainer.flatLength;
    this.trainer.flatParams(this.shared.slot());
    await this.explain(this.shared.barrier());
    const mine = new Uint32Array(this.shared.slot().buffer, this.shared.slot().byteOffset, n);
    for (let r = 1; r < this.ranks; r++) {
      const s = this.shared.slot(r);
      const theirs = new Uint32Array(s.buffer, s.byteOffset, n);
      for (let i = 0; i < n; i++) {
        if (mine[i] !== theirs[i]) throw new Error(`data-parallel worker ${r + 1} of ${this.ranks} differs from worker 1 at weight ${i} after step ${this.trainer.step}`);
      }
    }
    this.stepsSinceCheck = 0;
    this.checks += 1;
  }

  slot(): Float32Array {
    return this.shared.slot();
  }

  sum(length: number): Promise<Float32Array> {
    return this.explain(this.shared.sum(length));
  }

  /** Rank 0 failed: releases the replicas from whatever barrier they wait at, so close() terminates them at once. */
  abort(): void {
    this.shared.abort();
  }

  /** Ends the replicas: asks them to exit when the group is healthy, terminates them otherwise. Idempotent. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const exited = Promise.all(this.workers.map((w) => new Promise<void>((r) => (w.threadId === -1 ? r() : w.once('exit', () => r())))));
    let asked = false;
    if (!this.shared.aborted) {
      // A replica still building its trainer never reaches the command: then the wait times out and it is terminated.
      const exit = this.shared.command(Command.Exit).then(() => (asked = true), () => undefined);
      await Promise.race([exit, sleep(2000)]);
    }
    if (!asked || !(await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]))) {
      this.shared.abort();
      await Promise.all(this.workers.map((w) => w.terminate()));
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
