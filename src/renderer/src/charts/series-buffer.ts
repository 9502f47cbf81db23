// A growable full-resolution series (steps, values in typed arrays), sorted by step. Appends are O(1);
// the chart's min/max envelopes live beside it in lod.ts and follow appends incrementally.

export interface ReadonlySeries {
  readonly length: number;
  /** Changes whenever points are removed or replaced, so derived data knows to start over. */
  readonly revision?: number;
  readonly steps: Float64Array;
  readonly values: Float64Array;
}

export class SeriesBuffer implements ReadonlySeries {
  length = 0;
  revision = 0;
  steps: Float64Array;
  values: Float64Array;

  constructor(capacity = 1024) {
    this.steps = new Float64Array(Math.max(16, capacity));
    this.values = new Float64Array(Math.max(16, capacity));
  }

  static from(steps: ArrayLike<number>, values: ArrayLike<number>): SeriesBuffer {
    const b = new SeriesBuffer(steps.length);
    b.load(steps, values, (v) => v);
    return b;
  }

  get lastStep(): number {
    return this.length ? this.steps[this.length - 1] : -Infinity;
  }

  /**
   * Appends one point. A step at or before the last one (a resumed run replaying steps)
   * replaces the tail from that step on, so the series stays sorted by step.
   */
  push(step: number, value: number): void {
    if (this.length && step <= this.steps[this.length - 1]) this.truncateFrom(step);
    if (this.length === this.steps.length) this.grow(this.length + (this.length >> 1) + 1024);
    const i = this.length++;
    this.steps[i] = step;
    this.values[i] = value;
  }

  /**
   * Replaces the contents in one pass (a stored history). Steps must be ascending, as the store returns
   * them; any that are not fall back to push(), which keeps the series sorted.
   */
  load<V>(steps: ArrayLike<number>, values: ArrayLike<V>, convert: (v: V) => number): void {
    this.clear();
    const n = steps.length;
    // Headroom, so the first live points after a big history do not copy it.
    if (n > this.steps.length) this.grow(n + (n >> 3) + 1024);
    const st = this.steps;
    const vs = this.values;
    let last = -Infinity;
    let i = 0;
    for (; i < n; i++) {
      const s = steps[i];
      if (!(s > last)) break;
      st[i] = s;
      vs[i] = convert(values[i]);
      last = s;
    }
    this.length = i;
    for (; i < n; i++) this.push(steps[i], convert(values[i]));
  }

  /** Makes room for `capacity` points at once (one copy instead of repeated doubling). */
  reserve(capacity: number): void {
    if (capacity > this.steps.length) this.grow(Math.max(capacity + (capacity >> 3) + 1024, this.steps.length + (this.steps.length >> 1)));
  }

  /** Drops every point with step >= `step`. */
  truncateFrom(step: number): void {
    const n = lowerBound(this.steps, this.length, step);
    if (n >= this.length) return;
    this.length = n;
    this.revision++;
  }

  clear(): void {
    if (!this.length) return;
    this.length = 0;
    this.revision++;
  }

  private grow(cap: number): void {
    const steps = new Float64Array(cap);
    steps.set(this.steps.subarray(0, this.length));
    const values = new Float64Array(cap);
    values.set(this.values.subarray(0, this.length));
    this.steps = steps;
    this.values = values;
  }
}

/** First index in sorted `a[0..n)` whose value is >= x. */
export function lowerBound(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in sorted `a[0..n)` whose value is > x. */
export function upperBound(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the point whose step is nearest to x, or -1 for an empty series. */
export function nearestIndex(s: ReadonlySeries, x: number): number {
  if (!s.length) return -1;
  const i = lowerBound(s.steps, s.length, x);
  if (i === 0) return 0;
  if (i >= s.length) return s.length - 1;
  return x - s.steps[i - 1] <= s.steps[i] - x ? i - 1 : i;
}
