// Training worker entry (a worker thread started through src/main/ts-worker-boot.mjs, or a forked process for
// native backends): speaks src/shared/worker-protocol.ts. On 'start' it picks the backend, builds or restores the run and trains,
// streaming metric batches, checkpoint notices and a final 'done' or 'error'. 'stop'/'pause' act between steps.
import { ToWorker, type FromWorker } from '../../shared/worker-protocol.ts';
import { toWire, type MetricPoint } from '../../shared/metrics.ts';
import { initBackend } from './backend.ts';
import { explainEngineFailure } from './memory-fit.ts';
import { Trainer, runTraining, TrainingError } from './train.ts';
import { hostPort } from './host-port.ts';
import { oneLine } from '../../shared/one-line.ts';
import { vocabSizeOf } from '../../shared/ablation/recipe.ts';
import { chooseWorkers, hostWorkers } from './parallel/workers.ts';
import { ParallelGroup } from './parallel/group.ts';

/** Debug mode: compare the replicas' weights bit for bit every this many steps (LOUPE_CHECK_REPLICAS=K). */
const checkReplicasEvery = Number(process.env.LOUPE_CHECK_REPLICAS ?? 0) || 0;

const port = hostPort();

const post = (msg: FromWorker): void => port.postMessage(msg);

/** Groups metric points so main writes one transaction per ~250 ms (or per step, when steps are slower). */
class MetricsBatcher {
  private seq = 0;
  private pending: MetricPoint[] = [];
  private last = performance.now();

  add(points: MetricPoint[]): void {
    this.pending.push(...points);
    if (performance.now() - this.last >= 250) this.flush();
  }

  flush(): void {
    this.last = performance.now();
    if (this.pending.length === 0) return;
    post({ type: 'metrics', seq: this.seq++, points: this.pending.map((p) => ({ ...p, value: toWire(p.value) })) });
    this.pending = [];
  }
}

let request: 'stop' | 'pause' | null = null;
let running = false;

async function start(msg: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  const metrics = new MetricsBatcher();
  let trainer: Trainer | null = null;
  let group: ParallelGroup | null = null;
  let backendName: string = msg.config.backend;
  try {
    const backend = await initBackend(msg.config.backend);
    backendName = backend.name;
    // A char vocabulary is known only once the corpus is read; a byte-sized one stands in for the memory estimate.
    const host = hostWorkers();
    const workers = chooseWorkers(msg.config, backend.name, vocabSizeOf(msg.config.data.tokenizer) ?? 256, { ...host, cores: msg.cores ?? host.cores });
    trainer = new Trainer({ config: msg.config, backend: backend.name, resumeFrom: msg.resumeFrom, initFrom: msg.initFrom, ranks: workers.workers });
    const t = trainer;
    let reason = backend.reason;
    if (workers.workers > 1) {
      group = await ParallelGroup.start(t, { ranks: workers.workers, backend: backend.name, resumeFrom: msg.resumeFrom, initFrom: msg.initFrom, checkEvery: checkReplicasEvery });
      t.parallel = group;
      reason = `${reason}; ${workers.workers} data-parallel workers (${workers.why})`;
      post({ type: 'log', level: 'info', message: `data-parallel over ${workers.workers} workers (${workers.why})` });
    }
    if (t.accumulation > 1) {
      post({ type: 'log', level: 'info', message: `micro-batch ${t.microBatch} × ${t.accumulation} accumulation steps per update (memory estimate for ${backend.name})` });
    }
    const outcome = await runTraining(t, msg.checkpointDir, {
      started: (info) => post({ type: 'started', backend: backend.name, backendReason: reason, ...info }),
      metrics: (points) => metrics.add(points),
      checkpoint: (c) => {
        metrics.flush();
        post({ type: 'checkpoint', step: c.step, path: c.path, sha256: c.sha256, bytes: c.bytes, valLoss: c.valLoss });
      },
      condensation: (step, stats) => post({ type: 'condensation', step, stats }),
      control: () => request,
    });
    metrics.flush();
    post({ type: 'done', status: outcome.status, step: outcome.step, reason: outcome.reason });
  } catch (e) {
    group?.abort();
    metrics.flush();
    const step = e instanceof TrainingError ? e.step : (trainer?.step ?? null);
    const message = explainEngineFailure(oneLine(e), msg.config, backendName, trainer?.tokenizer.vocabSize);
    post({ type: 'error', message, step, nonFinite: e instanceof TrainingError && e.nonFinite });
  } finally {
    await group?.close();
    trainer?.dispose();
    port.close();
  }
}

port.onMessage((raw: unknown) => {
  const parsed = ToWorker.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'unknown problem';
    if ((raw as { type?: unknown } | null)?.type === 'start') {
      // A start that cannot be read ends the run: say which field is wrong (e.g. "config.train.lr: ...").
      post({ type: 'error', message: `invalid start message: ${where}`, step: null, nonFinite: false });
      port.close();
    } else {
      post({ type: 'log', level: 'warn', message: `worker ignored an invalid message: ${where}` });
    }
    return;
  }
  const msg = parsed.data;
  if (msg.type === 'start') {
    if (running) {
      post({ type: 'log', level: 'warn', message: 'worker ignored a second start message' });
      return;
    }
    running = true;
    void start(msg);
  } else {
    request = msg.type;
  }
});
