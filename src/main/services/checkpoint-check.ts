// Checks a checkpoint against what the store recorded when it was written (the SHA-256 of its weights) before
// sampling or resuming uses it: a damaged or missing checkpoint is named, never loaded.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CheckpointRow } from '../store/checkpoints-store.ts';

/** The checkpoint's weights file: the one whose SHA-256 the engine reports and the store keeps. */
export const weightsFile = 'model.safetensors';
const otherFiles = ['state.json', 'optimizer.safetensors'] as const;

function sha256(file: string): string {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n = fs.readSync(fd, buf); n > 0; n = fs.readSync(fd, buf)) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** null when the checkpoint is whole; otherwise one line naming the file and what is wrong with it. */
export function checkpointProblem(c: Pick<CheckpointRow, 'path' | 'sha256' | 'step'>): string | null {
  const weights = path.join(c.path, weightsFile);
  for (const f of [weightsFile, ...otherFiles]) {
    if (!fs.existsSync(path.join(c.path, f))) return `checkpoint at step ${c.step} is missing ${path.join(c.path, f)}`;
  }
  let actual: string;
  try {
    actual = sha256(weights);
  } catch (e) {
    return `checkpoint at step ${c.step} cannot be read (${weights}: ${(e as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  if (actual !== c.sha256) return `checkpoint at step ${c.step} is damaged: ${weights} does not match the SHA-256 recorded when it was written`;
  return null;
}
