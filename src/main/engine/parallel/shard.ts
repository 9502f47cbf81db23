// Which rows of a batch each data-parallel rank takes: contiguous shares in rank order, the first (batch % ranks)
// ranks one row more, so a rank's share depends only on the batch size and the worker count.
import type { Batch } from '../data/dataset.ts';

/** Rows of rank `rank`'s share: [start, start + count). */
export function shardRows(batch: number, rank: number, ranks: number): { start: number; count: number } {
  const base = Math.floor(batch / ranks);
  const extra = batch % ranks;
  return { start: rank * base + Math.min(rank, extra), count: base + (rank < extra ? 1 : 0) };
}

/** The largest share any rank takes of a batch. */
export function shardSize(batch: number, ranks: number): number {
  return Math.ceil(batch / ranks);
}

export function shardOf(b: Batch, rank: number, ranks: number): Batch {
  const { start, count } = shardRows(b.batch, rank, ranks);
  return { x: b.x.subarray(start * b.T, (start + count) * b.T), y: b.y.subarray(start * b.T, (start + count) * b.T), batch: count, T: b.T };
}
