// View model of the run page's condensation panel: the stored histograms (DESIGN §6) turned into the mean-cosine
// heatmap (depth × eval step), one step's similarity distribution per depth, and the per-depth curves. Pure.
import type { CondensationHistory } from '../../../shared/generation/condensation.ts';

export interface CondensationView {
  /** Eval steps with histograms, ascending. */
  steps: number[];
  /** Depths present, ascending (0 = embedding output, i = output of block i). */
  layers: number[];
  /** [stepIndex, layerIndex, meanCosine] cells of the heatmap. */
  cells: [number, number, number][];
  /** Mean cosine per depth over steps (null where that step lacks the depth). */
  curves: { layer: number; values: (number | null)[] }[];
  /** Lowest and highest mean cosine, for the colour scale. */
  range: [number, number];
}

export function condensationView(h: CondensationHistory): CondensationView {
  const steps = [...new Set(h.points.map((p) => p.step))].sort((a, b) => a - b);
  const layers = [...new Set(h.points.map((p) => p.layer))].sort((a, b) => a - b);
  const si = new Map(steps.map((s, i) => [s, i]));
  const li = new Map(layers.map((l, i) => [l, i]));
  const cells: [number, number, number][] = [];
  const curves = layers.map((layer) => ({ layer, values: new Array<number | null>(steps.length).fill(null) }));
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of h.points) {
    const s = si.get(p.step)!;
    const l = li.get(p.layer)!;
    cells.push([s, l, p.meanCosine]);
    curves[l]!.values[s] = p.meanCosine;
    lo = Math.min(lo, p.meanCosine);
    hi = Math.max(hi, p.meanCosine);
  }
  return { steps, layers, cells, curves, range: lo <= hi ? [lo, hi] : [0, 1] };
}

/** Centre of histogram bin b of `bins` equal bins over [−1, 1]. */
export function binCentre(b: number, bins: number): number {
  return -1 + (2 * (b + 0.5)) / bins;
}

/**
 * One eval step's similarity distributions: [layerIndex, bin, share of pairs] cells (empty bins left out), each
 * depth's histogram normalised to sum 1 so depths with different pair counts compare.
 */
export function histogramCells(h: CondensationHistory, step: number, layers: readonly number[]): [number, number, number][] {
  const li = new Map(layers.map((l, i) => [l, i]));
  const out: [number, number, number][] = [];
  for (const p of h.points) {
    if (p.step !== step) continue;
    const total = p.histogram.reduce((a, b) => a + b, 0);
    if (total === 0) continue;
    p.histogram.forEach((count, b) => {
      if (count > 0) out.push([li.get(p.layer)!, b, count / total]);
    });
  }
  return out;
}
