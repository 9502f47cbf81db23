// Sample worker entry (worker_threads): speaks shared/sample-worker-protocol.ts. Runs one job at a time so sampling never
// blocks main; a 'cancel' arrives between tokens because generate() yields to the event loop after each one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { BackendName } from '../../shared/config.ts';
import { initBackend } from './backend.ts';
import { SampleEngine } from './sample-job.ts';
import { ToSampleWorker, type FromSampleWorker, type SampleJob } from '../../shared/sample-worker-protocol.ts';
import { oneLine } from '../../shared/one-line.ts';

if (!parentPort) throw new Error('sample-worker.ts must run inside a worker thread');
const port = parentPort;
const post = (msg: FromSampleWorker): void => port.postMessage(msg);

const engine = new SampleEngine();
const cancelled = new Set<string>();
const queue: SampleJob[] = [];
let backend: Promise<unknown> | null = null;

/**
 * The backend the first checkpoint was trained on, when it still works here: sampling then matches training
 * numerically, and 'auto' does not probe (and warn about) accelerators this machine lacks.
 */
async function initFor(checkpointPath: string): Promise<void> {
  let trained: BackendName = 'auto';
  try {
    const state = JSON.parse(readFileSync(join(checkpointPath, 'state.json'), 'utf8')) as { backend?: unknown };
    const parsed = BackendName.safeParse(state.backend);
    if (parsed.success) trained = parsed.data;
  } catch {
    // unreadable here: the job itself reports the checkpoint problem
  }
  if (trained !== 'auto') {
    try {
      await initBackend(trained);
      return;
    } catch {
      // not available on this machine (e.g. trained on a GPU elsewhere): fall back to the best one that is
    }
  }
  await initBackend('auto');
}
let busy = false;

async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const id = job.id;
      try {
        backend ??= initFor(job.checkpointPath);
        await backend;
        const result = await engine.run(job, {
          phase: (phase) => post({ type: 'phase', id, phase }),
          token: (index, piece, entropy) => post({ type: 'token', id, index, piece, entropy }),
          cancelled: () => cancelled.has(id),
        });
        post({ type: 'done', id, result });
      } catch (e) {
        post({ type: 'error', id, message: oneLine(e) });
      } finally {
        cancelled.delete(id);
      }
    }
  } finally {
    busy = false;
  }
}

port.on('message', (raw: unknown) => {
  const parsed = ToSampleWorker.safeParse(raw);
  if (!parsed.success) {
    const id = (raw as { job?: { id?: unknown } } | null)?.job?.id;
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'unknown problem';
    if (typeof id === 'string') post({ type: 'error', id, message: `invalid sample request: ${where}` });
    return;
  }
  const msg = parsed.data;
  if (msg.type === 'cancel') {
    const waiting = queue.findIndex((j) => j.id === msg.id);
    if (waiting >= 0) {
      queue.splice(waiting, 1);
      post({ type: 'error', id: msg.id, message: 'cancelled before it started' });
    } else cancelled.add(msg.id);
    return;
  }
  queue.push(msg.job);
  void drain();
});
