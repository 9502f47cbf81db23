// Test fixture for the sampling services: a data dir with one tiny run trained in-process (cpu backend) whose
// checkpoints are recorded in the store, and a corpus file on disk for the memorisation check.
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../engine/tf.ts';
import { Trainer } from '../engine/train.ts';
import { tinyConfig, tinyText } from '../engine/testing/tiny.ts';
import { Store } from '../store/store.ts';
import { checkpointDir, dbPath } from '../paths.ts';

export interface SampleFixture {
  dataDir: string;
  corpus: string;
  runId: string;
  /** A second run with no checkpoint. */
  emptyRunId: string;
  steps: number[];
  checkpointPaths: string[];
}

export async function sampleFixture(opts: { steps?: number[]; blockSize?: number } = {}): Promise<SampleFixture> {
  const steps = opts.steps ?? [4, 8];
  await tf.setBackend('cpu');
  const dataDir = mkdtempSync(join(tmpdir(), 'loupe-samples-'));
  const corpus = join(dataDir, 'corpus.txt');
  const text = tinyText(6000);
  writeFileSync(corpus, text);
  const config = tinyConfig({ name: 'tiny-sampled', data: { corpus }, model: { block_size: opts.blockSize ?? 16 } });
  const store = Store.open(dbPath(dataDir));
  const checkpointPaths: string[] = [];
  try {
    const run = store.runs.create({ name: 'tiny-sampled', config, status: 'finished' });
    const emptyRunId = store.runs.create({ name: 'no-checkpoints', config, status: 'finished' }).id;
    const trainer = new Trainer({ config, backend: 'cpu', text });
    try {
      for (const step of steps) {
        while (trainer.step < step) trainer.trainStep();
        const c = trainer.saveCheckpoint(checkpointDir(dataDir, run.id));
        store.checkpoints.add(run.id, { step, path: c.path, sha256: c.sha256, bytes: c.bytes, valLoss: null });
        checkpointPaths.push(c.path);
      }
    } finally {
      trainer.dispose();
    }
    return { dataDir, corpus, runId: run.id, emptyRunId, steps, checkpointPaths };
  } finally {
    store.close();
  }
}
