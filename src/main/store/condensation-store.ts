// Condensation histograms in the run store (migration 8): written once per eval from the worker's message, read
// back whole for the run page's heatmap. A resumed run that re-evaluates a step replaces that step's rows.
import type { Db } from './db.ts';
import { CONDENSATION_BINS, type CondensationStats, type CondensationHistory } from '../../shared/generation/condensation.ts';

function encodeBins(histogram: readonly number[]): Buffer {
  const buf = Buffer.alloc(CONDENSATION_BINS * 4);
  for (let b = 0; b < CONDENSATION_BINS; b++) buf.writeUInt32LE(histogram[b] ?? 0, b * 4);
  return buf;
}

function decodeBins(buf: Buffer): number[] {
  const out = new Array<number>(CONDENSATION_BINS).fill(0);
  for (let b = 0; b < CONDENSATION_BINS && b * 4 + 4 <= buf.length; b++) out[b] = buf.readUInt32LE(b * 4);
  return out;
}

export class CondensationStore {
  private readonly insertRow;

  constructor(private readonly db: Db) {
    this.insertRow = db.prepare(
      'INSERT OR REPLACE INTO condensation_histograms(run_id, step, layer, tokens, pairs, mean_cosine, bins) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** One eval's histograms, in one transaction. */
  insert(runId: string, step: number, stats: CondensationStats): void {
    this.db.transaction(() => {
      for (const l of stats.layers) this.insertRow.run(runId, step, l.layer, stats.tokens, l.pairs, l.meanCosine, encodeBins(l.histogram));
    })();
  }

  /** Every stored histogram of a run, by step then depth. */
  history(runId: string): CondensationHistory {
    const rows = this.db
      .prepare('SELECT step, layer, tokens, pairs, mean_cosine, bins FROM condensation_histograms WHERE run_id = ? ORDER BY step, layer')
      .all(runId) as { step: number; layer: number; tokens: number; pairs: number; mean_cosine: number; bins: Buffer }[];
    return {
      bins: CONDENSATION_BINS,
      points: rows.map((r) => ({ step: r.step, layer: r.layer, tokens: r.tokens, pairs: r.pairs, meanCosine: r.mean_cosine, histogram: decodeBins(r.bins) })),
    };
  }
}
