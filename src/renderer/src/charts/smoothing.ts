// Display smoothing: a debiased exponential moving average (TensorBoard's), computed into a separate
// buffer so the stored, raw series is never altered. Incremental, so live appends cost O(1).
import { SeriesBuffer, type ReadonlySeries } from './series-buffer.ts';

export class EmaSmoother {
  private acc = 0;
  /** weight^n, kept as a running product: Math.pow per point dominated loading a million-point history. */
  private wn = 1;
  constructor(readonly weight: number) {}

  /** Non-finite inputs pass through unchanged and do not poison the average. */
  next(v: number): number {
    if (!Number.isFinite(v)) return v;
    if (this.weight <= 0) return v;
    this.acc = this.acc * this.weight + (1 - this.weight) * v;
    this.wn *= this.weight;
    return this.acc / (1 - this.wn);
  }
}

/** A raw series and its smoothed twin, kept in step. */
export class SmoothedSeries {
  readonly smooth = new SeriesBuffer();
  private smoother: EmaSmoother;
  private done = 0;
  private seen: number | undefined = 0;

  constructor(readonly raw: SeriesBuffer, weight: number) {
    this.smoother = new EmaSmoother(weight);
    this.sync();
  }

  get weight(): number {
    return this.smoother.weight;
  }

  setWeight(weight: number): void {
    if (weight === this.smoother.weight) return;
    this.smoother = new EmaSmoother(weight);
    this.smooth.clear();
    this.done = 0;
    this.sync();
  }

  /** Brings the smoothed buffer up to the raw one (recomputing from scratch if raw points were removed). */
  sync(): void {
    const raw: ReadonlySeries = this.raw;
    if (raw.revision !== this.seen) {
      this.smoother = new EmaSmoother(this.smoother.weight);
      this.smooth.clear();
      this.done = 0;
      this.seen = raw.revision;
    }
    const sm = this.smooth;
    sm.reserve(raw.length);
    for (let i = this.done; i < raw.length; i++) sm.push(raw.steps[i], this.smoother.next(raw.values[i]));
    this.done = raw.length;
  }
}
