// Condensation histograms in the store: written per eval, read back by step and depth, replaced on re-evaluation,
// and deleted with their run.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { resolveConfig } from '../../shared/config.ts';
import { CONDENSATION_BINS, type CondensationStats } from '../../shared/generation/condensation.ts';
import { Store } from './store.ts';
import { tempDir } from '../scheduler/testing/harness.ts';

function stats(seed: number): CondensationStats {
  const layer = (l: number): CondensationStats['layers'][number] => {
    const histogram = new Array<number>(CONDENSATION_BINS).fill(0);
    histogram[(seed * 7 + l * 13) % CONDENSATION_BINS] = 40_000 + l;
    histogram[CONDENSATION_BINS - 1] = 6;
    return { layer: l, meanCosine: 0.1 * l + seed / 100, histogram, pairs: 40_006 + l };
  };
  return { tokens: 284, dim: 32, layers: [0, 1, 2].map(layer), spearmanRho: 1 };
}

describe('condensation store', () => {
  it('round-trips histograms by step and depth, replaces a re-evaluated step, and goes with its run', () => {
    const dir = tempDir();
    const store = Store.open(path.join(dir, 'loupe.db'));
    const r = resolveConfig({ name: 'c' });
    if (!r.ok) throw new Error('bad config');
    const run = store.runs.create({ name: 'c', config: r.config, status: 'finished' });
    store.condensation.insert(run.id, 10, stats(2));
    store.condensation.insert(run.id, 0, stats(1));
    store.condensation.insert(run.id, 10, stats(3));
    const h = store.condensation.history(run.id);
    expect(h.bins).toBe(CONDENSATION_BINS);
    expect(h.points.map((p) => [p.step, p.layer])).toEqual([[0, 0], [0, 1], [0, 2], [10, 0], [10, 1], [10, 2]]);
    const want = stats(3).layers[2]!;
    const got = h.points[5]!;
    expect(got).toMatchObject({ tokens: 284, pairs: want.pairs, meanCosine: want.meanCosine });
    expect(got.histogram).toEqual(want.histogram);
    store.runs.patch(run.id, { archived: true });
    const deleted = store.runs.delete(run.id, dir);
    expect(deleted.deleted['condensation_histograms']).toBe(6);
    expect(store.condensation.history(run.id).points).toEqual([]);
    store.close();
  });
});
