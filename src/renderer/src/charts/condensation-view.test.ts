// The condensation panel's view model: heatmap cells, per-depth curves and normalised histograms.
import { describe, expect, it } from 'vitest';
import { binCentre, condensationView, histogramCells } from './condensation-view.ts';
import type { CondensationHistory } from '../../../shared/generation/condensation.ts';

const hist = (b: number, n: number): number[] => Array.from({ length: 4 }, (_, i) => (i === b ? n : 0));
const h: CondensationHistory = {
  bins: 4,
  points: [
    { step: 0, layer: 0, tokens: 10, pairs: 45, meanCosine: 0.1, histogram: hist(2, 45) },
    { step: 0, layer: 1, tokens: 10, pairs: 45, meanCosine: 0.6, histogram: hist(3, 45) },
    { step: 20, layer: 0, tokens: 10, pairs: 45, meanCosine: 0.05, histogram: [5, 0, 40, 0] },
  ],
};

describe('condensationView', () => {
  it('lays cells on step × depth, with curves per depth and the colour range', () => {
    const v = condensationView(h);
    expect(v.steps).toEqual([0, 20]);
    expect(v.layers).toEqual([0, 1]);
    expect(v.cells).toEqual([[0, 0, 0.1], [0, 1, 0.6], [1, 0, 0.05]]);
    expect(v.curves).toEqual([{ layer: 0, values: [0.1, 0.05] }, { layer: 1, values: [0.6, null] }]);
    expect(v.range).toEqual([0.05, 0.6]);
    expect(condensationView({ bins: 4, points: [] }).range).toEqual([0, 1]);
  });

  it('normalises one step\'s histograms per depth and names bin centres', () => {
    expect(histogramCells(h, 20, [0, 1])).toEqual([[0, 0, 5 / 45], [0, 2, 40 / 45]]);
    expect(binCentre(0, 4)).toBe(-0.75);
    expect(binCentre(3, 4)).toBe(0.75);
  });
});
