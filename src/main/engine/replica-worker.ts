// Replica worker entry (a worker thread started by rank 0, engine/parallel/group.ts): builds the same trainer as
// rank 0 and takes its share of every step until told to exit. It never evaluates, saves or reports metrics.
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from './backend.ts';
import { Trainer, type ParallelRank } from './train.ts';
import type { FromReplica, ReplicaData } from './parallel/group.ts';
import { Command, GroupAborted, SharedSum } from './parallel/shared-sum.ts';
import { BackendName } from '../../shared/config.ts';
import { oneLine } from '../../shared/one-line.ts';

if (!parentPort) throw new Error('replica-worker.ts must run inside a worker thread');
const port = parentPort;
const data = (workerData as { replica: ReplicaData }).replica;
const post = (m: FromReplica): void => port.postMessage(m);
const shared = new SharedSum(data.buffers, data.rank);
// Pending Atomics.waitAsync calls do not keep a thread alive; the open port does, until main() closes it.
port.on('message', () => {});

const replica: ParallelRank = {
  rank: data.rank,
  ranks: data.buffers.ranks,
  // Rank 0's command, read in the loop below, already started the step.
  beginStep: () => Promise.resolve(),
  beginEval: () => Promise.resolve(),
  slot: () => shared.slot(),
  sum: (length) => shared.sum(length),
};

async function main(): Promise<void> {
  let trainer: Trainer | null = null;
  try {
    await initBackend(BackendName.parse(data.backend));
    trainer = new Trainer({
      config: data.config,
      backend: data.backend,
      resumeFrom: data.resumeFrom,
      initFrom: data.initFrom,
      ...(data.text !== undefined ? { text: data.text } : {}),
      ranks: data.buffers.ranks,
    });
    trainer.parallel = replica;
    post({ type: 'ready', flatLength: trainer.flatLength });
    for (;;) {
      const c = await shared.nextCommand();
      if (c === Command.Exit) break;
      if (c === Command.Check) {
        trainer.flatParams(shared.slot());
        await shared.barrier();
      } else if (c === Command.Eval) await trainer.evaluateShared();
      else await trainer.stepShared();
    }
  } catch (e) {
    // An abort comes from rank 0 (or another replica), which reports it; anything else is this replica's to report.
    if (!(e instanceof GroupAborted)) {
      post({ type: 'error', message: oneLine(e) });
      shared.abort();
    }
  } finally {
    trainer?.dispose();
    port.close();
  }
}

void main();
