// A scripted training engine that speaks src/shared/worker-protocol.ts without TF.js, for scheduler and store
// tests (passed as the worker entry). Its behaviour comes from tokens in the run name:
// "crash@K" throws at step K, "nan@K" reports a non-finite loss at K, "oom" exhausts the heap, "hang" ignores stop,
// "ms=N" sleeps N ms per step, "abort@K" aborts the whole process at step K (a native crash: process isolation
// only). Loss decays smoothly; checkpoints are real folders written temp → rename.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ToWorker, type FromWorker } from '../../../shared/worker-protocol.ts';
import { toWire } from '../../../shared/metrics.ts';
import type { RunConfig } from '../../../shared/config.ts';
import { hostPort } from '../../engine/host-port.ts';

const port = hostPort();
let control: 'stop' | 'pause' | null = null;
const send = (m: FromWorker): void => port.postMessage(m);

function token(name: string, key: string): number | null {
  const m = new RegExp(`${key}[@=](\\d+)`).exec(name);
  return m ? Number(m[1]) : null;
}

function writeCheckpoint(dir: string, step: number, valLoss: number | null): void {
  const folder = path.join(dir, `step-${String(step).padStart(8, '0')}`);
  const tmp = `${folder}.tmp-${process.pid}`;
  fs.mkdirSync(tmp, { recursive: true });
  const state = JSON.stringify({ format: 'scripted', step, valLoss });
  // The real engine's file set; the weights file (whose SHA-256 main checks before a resume) holds the state too.
  const weights = Buffer.from(state);
  fs.writeFileSync(path.join(tmp, 'state.json'), state);
  fs.writeFileSync(path.join(tmp, 'model.safetensors'), weights);
  fs.writeFileSync(path.join(tmp, 'optimizer.safetensors'), '');
  fs.rmSync(folder, { recursive: true, force: true });
  fs.renameSync(tmp, folder);
  send({ type: 'checkpoint', step, path: folder, sha256: createHash('sha256').update(weights).digest('hex'), bytes: 2 * state.length, valLoss });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function train(runId: string, config: RunConfig, dir: string, resumeFrom: string | null): Promise<void> {
  const name = config.name;
  const startStep = resumeFrom ? (JSON.parse(fs.readFileSync(path.join(resumeFrom, 'state.json'), 'utf8')) as { step: number }).step : 0;
  const stepMs = token(name, 'ms') ?? 1;
  const crashAt = token(name, 'crash');
  const nanAt = token(name, 'nan');
  const abortAt = token(name, 'abort');
  const tokensPerUpdate = config.train.batch_size * config.model.block_size;
  send({ type: 'started', backend: 'scripted', backendReason: 'test engine', params: 1234, tokensPerUpdate, microBatch: config.train.batch_size, accumulation: 1, workers: 1, startStep });
  if (name.includes('oom')) {
    const hog: number[][] = [];
    for (;;) hog.push(new Array<number>(1e6).fill(Math.random()));
  }
  let seq = 0;
  let batch: { step: number; key: string; value: ReturnType<typeof toWire> }[] = [];
  let lastVal: number | null = null;
  const flush = (): void => {
    if (batch.length) send({ type: 'metrics', seq: seq++, points: batch });
    batch = [];
  };
  for (let step = startStep + 1; step <= config.train.steps; step++) {
    if (stepMs) await sleep(stepMs);
    if (crashAt === step) throw new Error(`scripted crash at step ${step} of ${runId}`);
    if (abortAt === step) process.abort();
    const loss = nanAt !== null && step >= nanAt ? NaN : 3 * Math.exp(-step / 40) + 0.5 + 0.01 * Math.sin(step * 7.3);
    batch.push({ step, key: 'train/loss', value: toWire(loss) });
    batch.push({ step, key: 'train/lr', value: config.train.lr });
    batch.push({ step, key: 'train/grad_norm', value: 1 / Math.sqrt(step) });
    batch.push({ step, key: 'train/tokens_per_s', value: 1000 });
    batch.push({ step, key: 'train/tokens_seen', value: step * tokensPerUpdate });
    if (Number.isNaN(loss)) {
      flush();
      send({ type: 'error', message: `non-finite loss at step ${step}`, step, nonFinite: true });
      return;
    }
    const last = step === config.train.steps;
    if (step % config.eval.every === 0 || last) {
      lastVal = loss + 0.05;
      batch.push({ step, key: 'val/loss', value: lastVal });
    }
    if (step % 5 === 0 || last) flush();
    if (step % config.checkpoint.every === 0 || last) {
      flush();
      writeCheckpoint(dir, step, lastVal);
    }
    if (control && !name.includes('hang')) {
      flush();
      if (step % config.checkpoint.every !== 0 && !last) writeCheckpoint(dir, step, lastVal);
      send({ type: 'done', status: control === 'stop' ? 'stopped' : 'paused', step, reason: `${control} requested` });
      return;
    }
  }
  flush();
  send({ type: 'done', status: 'finished', step: config.train.steps, reason: null });
}

port.onMessage((raw: unknown) => {
  const msg = ToWorker.parse(raw);
  if (msg.type === 'start') {
    void train(msg.runId, msg.config, msg.checkpointDir, msg.resumeFrom).catch((e: unknown) => {
      // Rethrown outside the promise so it is an uncaught worker error, as a real engine crash would be.
      setImmediate(() => {
        throw e;
      });
    });
  } else {
    control = msg.type;
  }
});
