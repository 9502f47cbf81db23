// Token stream, deterministic contiguous split (validation = the last val_fraction), seeded batch sampling
// (nanoGPT's random offsets) and fixed validation batches. The data cursor is the sampler's RNG state.
import type { DataConfig } from '../../../shared/config.ts';
import { Rng, type RngState } from '../rng.ts';

export interface Batch {
  /** [batch·T] row-major inputs and next-token targets. */
  x: Int32Array;
  y: Int32Array;
  batch: number;
  T: number;
}

export class Dataset {
  readonly train: Int32Array;
  readonly val: Int32Array;
  private rng: Rng;

  constructor(
    tokens: Int32Array,
    readonly blockSize: number,
    cfg: Pick<DataConfig, 'val_fraction' | 'train_fraction'>,
    seed: number,
  ) {
    const nVal = Math.floor(tokens.length * cfg.val_fraction);
    const trainAll = tokens.subarray(0, tokens.length - nVal);
    this.train = trainAll.subarray(0, Math.floor(trainAll.length * cfg.train_fraction));
    this.val = tokens.subarray(tokens.length - nVal);
    const need = blockSize + 1;
    if (this.train.length < need)
      throw new Error(`data: the training split has ${this.train.length} tokens, shorter than one block (block_size + 1 = ${need})`);
    if (this.val.length < need)
      throw new Error(`data: the validation split has ${this.val.length} tokens, shorter than one block (block_size + 1 = ${need})`);
    this.rng = new Rng(seed, 1);
  }

  /** A random training batch; advances the cursor. */
  nextTrainBatch(batch: number): Batch {
    const starts: number[] = [];
    for (let b = 0; b < batch; b++) starts.push(this.rng.int(this.train.length - this.blockSize));
    return gather(this.train, starts, this.blockSize);
  }

  /** `count` fixed validation batches, evenly spaced over the validation split. */
  valBatches(count: number, batch: number): Batch[] {
    const n = count * batch;
    const span = this.val.length - this.blockSize - 1;
    const starts = Array.from({ length: n }, (_, i) => (n === 1 ? 0 : Math.floor((i * span) / (n - 1))));
    return Array.from({ length: count }, (_, c) => gather(this.val, starts.slice(c * batch, (c + 1) * batch), this.blockSize));
  }

  cursor(): RngState {
    return this.rng.state();
  }

  restoreCursor(state: RngState): void {
    this.rng = Rng.fromState(state);
  }
}

function gather(data: Int32Array, starts: number[], T: number): Batch {
  const x = new Int32Array(starts.length * T);
  const y = new Int32Array(starts.length * T);
  starts.forEach((s, b) => {
    x.set(data.subarray(s, s + T), b * T);
    y.set(data.subarray(s + 1, s + 1 + T), b * T);
  });
  return { x, y, batch: starts.length, T };
}

/** Splits a batch into micro-batches of `micro` rows. */
export function microBatches(b: Batch, micro: number): Batch[] {
  const out: Batch[] = [];
  for (let i = 0; i < b.batch; i += micro) {
    const n = Math.min(micro, b.batch - i);
    out.push({ x: b.x.subarray(i * b.T, (i + n) * b.T), y: b.y.subarray(i * b.T, (i + n) * b.T), batch: n, T: b.T });
  }
  return out;
}
