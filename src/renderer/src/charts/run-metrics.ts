// One run's metrics in the renderer: full-resolution buffers per key, filled from history (runs.metrics)
// and then from live run.metrics events, plus derived series: clipped steps, and the generalisation gap.
import { MetricKey, fromWire } from '../../../shared/metrics.ts';
import { gapSeries, gapTrainKey } from '../../../shared/generalisation-gap.ts';
import type { Series } from '../../../shared/api/index.ts';
import { SeriesBuffer, lowerBound } from './series-buffer.ts';

type WireValue = Series['values'][number];
export interface WirePoint {
  step: number;
  key: string;
  value: WireValue;
}

export class RunMetrics {
  private readonly byKey = new Map<string, SeriesBuffer>();
  /** Grad norm at the steps where train/clipped was 1. */
  readonly clippedGrad = new SeriesBuffer();
  private pendingClipped: number[] = [];
  /** val/loss − smoothed train/ce at each eval (train/loss where the run did not record train/ce). */
  readonly gap = new SeriesBuffer();
  /** Bumped on every change, so views can tell whether to redraw. */
  version = 0;

  keys(): string[] {
    return [...this.byKey.keys()];
  }

  has(key: string): boolean {
    return (this.byKey.get(key)?.length ?? 0) > 0;
  }

  get(key: string): SeriesBuffer {
    let b = this.byKey.get(key);
    if (!b) {
      b = new SeriesBuffer();
      this.byKey.set(key, b);
    }
    return b;
  }

  /**
   * Replaces everything with a stored history. Buffers keep their identity (charts hold them);
   * their contents are replaced.
   */
  loadHistory(list: readonly Series[]): void {
    for (const b of this.byKey.values()) b.clear();
    this.clippedGrad.clear();
    this.pendingClipped = [];
    for (const s of list) {
      const b = this.byKey.get(s.key) ?? new SeriesBuffer(s.steps.length);
      b.load(s.steps, s.values, fromWire);
      this.byKey.set(s.key, b);
    }
    const clipped = this.byKey.get(MetricKey.clipped);
    if (clipped) for (let i = 0; i < clipped.length; i++) if (clipped.values[i] > 0) this.pendingClipped.push(clipped.steps[i]);
    this.joinClipped();
    this.updateGap();
    this.version++;
  }

  /** Live points; a point at or before a series' last step replaces that series' tail (a resumed run). */
  append(points: readonly WirePoint[]): void {
    if (!points.length) return;
    for (const p of points) {
      const v = fromWire(p.value);
      this.get(p.key).push(p.step, v);
      if (p.key === MetricKey.clipped && v > 0) this.pendingClipped.push(p.step);
    }
    this.joinClipped();
    // Evals are sparse: recomputing the whole gap only when one lands keeps live appends O(1).
    if (points.some((p) => p.key === MetricKey.valLoss)) this.updateGap();
    this.version++;
  }

  /** Steps covered by any series: [min, max], or null when there is no data. */
  extent(): [number, number] | null {
    let lo = Infinity;
    let hi = -Infinity;
    for (const b of this.byKey.values()) {
      if (!b.length) continue;
      lo = Math.min(lo, b.steps[0]);
      hi = Math.max(hi, b.steps[b.length - 1]);
    }
    return lo <= hi ? [lo, hi] : null;
  }

  private updateGap(): void {
    const val = this.byKey.get(MetricKey.valLoss);
    const train = this.byKey.get(gapTrainKey((k) => this.has(k)));
    this.gap.clear();
    if (!val || !train) return;
    const g = gapSeries(train, val);
    for (let i = 0; i < g.steps.length; i++) this.gap.push(g.steps[i]!, g.values[i]!);
  }

  private joinClipped(): void {
    if (!this.pendingClipped.length) return;
    const g = this.byKey.get(MetricKey.gradNorm);
    const still: number[] = [];
    for (const step of this.pendingClipped) {
      const i = g ? lowerBound(g.steps, g.length, step) : -1;
      if (g && i < g.length && g.steps[i] === step) this.clippedGrad.push(step, g.values[i]);
      else if (!g || g.lastStep < step) still.push(step); // grad norm for this step not here yet
    }
    this.pendingClipped = still.slice(-10_000);
  }
}
