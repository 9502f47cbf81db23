// A growable full-resolution series (steps, values in typed arrays) with a min/max pyramid,
// so the chart can ask "which point is the lowest/highest in this index range" in O(log n).
//
// The pyramid stores, per block of 16^L points, the index of its min and max finite value.
// Appends update it in O(levels); queries only ever read complete blocks.

const FANOUT_BITS = 4;
const FANOUT = 1 << FANOUT_BITS;
const LEVELS = 5; // blocks of 16, 256, 4096, 65536, 1048576 points

export interface ReadonlySeries {
  readonly length: number;
  readonly revision?: number;
  readonly steps: Float64Array;
  readonly values: Float64Array;
  /** Indices of the smallest and largest finite value in [i0, i1), or -1 when there is none. */
  argMinMax?(i0: number, i1: number, out: Int32Array): void;
}

export class SeriesBuffer implements ReadonlySeries {
  length = 0;
  /** Bumped whenever points are removed, so derived series know to start over. */
  revision = 0;
  steps: Float64Array;
  values: Float64Array;
  private mins: Int32Array[] = [];
  private maxs: Int32Array[] = [];

  constructor(capacity = 1024) {
    this.steps = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    for (let l = 1; l <= LEVELS; l++) {
      const n = blocksFor(capacity, l - 1);
      this.mins.push(new Int32Array(n).fill(-1));
      this.maxs.push(new Int32Array(n).fill(-1));
    }
  }

  static from(steps: ArrayLike<number>, values: ArrayLike<number>): SeriesBuffer {
    const b = new SeriesBuffer(Math.max(16, steps.length));
    for (let i = 0; i < steps.length; i++) b.push(steps[i], values[i]);
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
    if (this.length === this.steps.length) this.grow();
    const i = this.length++;
    this.steps[i] = step;
    this.values[i] = value;
    if (!Number.isFinite(value)) return;
    for (let l = 0; l < LEVELS; l++) {
      const b = i >> (FANOUT_BITS * (l + 1));
      const mn = this.mins[l];
      const mx = this.maxs[l];
      if (mn[b] < 0 || value < this.values[mn[b]]) mn[b] = i;
      if (mx[b] < 0 || value > this.values[mx[b]]) mx[b] = i;
    }
  }

  /** Drops every point with step >= `step`. */
  truncateFrom(step: number): void {
    const n = lowerBound(this.steps, this.length, step);
    if (n >= this.length) return;
    this.length = n;
    this.revision++;
    // Rebuild the (now partial) last block of every level from the raw values.
    for (let l = 0; l < LEVELS; l++) {
      const size = 1 << (FANOUT_BITS * (l + 1));
      const b = n >> (FANOUT_BITS * (l + 1));
      const mn = this.mins[l];
      const mx = this.maxs[l];
      mn.fill(-1, b);
      mx.fill(-1, b);
      for (let i = b * size; i < n; i++) {
        const v = this.values[i];
        if (!Number.isFinite(v)) continue;
        if (mn[b] < 0 || v < this.values[mn[b]]) mn[b] = i;
        if (mx[b] < 0 || v > this.values[mx[b]]) mx[b] = i;
      }
    }
  }

  clear(): void {
    this.truncateFrom(-Infinity);
  }

  argMinMax(i0: number, i1: number, out: Int32Array): void {
    out[0] = -1;
    out[1] = -1;
    this.query(-1, i0, i1, out);
  }

  /** Valid value index of an element of `level` (-1 = raw points). */
  private query(level: number, lo: number, hi: number, out: Int32Array): void {
    if (level + 1 >= LEVELS || hi - lo < 2 * FANOUT) {
      this.scan(level, lo, hi, out);
      return;
    }
    const loA = Math.min(hi, ((lo + FANOUT - 1) >> FANOUT_BITS) << FANOUT_BITS);
    const hiA = Math.max(loA, (hi >> FANOUT_BITS) << FANOUT_BITS);
    this.scan(level, lo, loA, out);
    this.scan(level, hiA, hi, out);
    if (hiA > loA) this.query(level + 1, loA >> FANOUT_BITS, hiA >> FANOUT_BITS, out);
  }

  private scan(level: number, lo: number, hi: number, out: Int32Array): void {
    const v = this.values;
    if (level < 0) {
      for (let i = lo; i < hi; i++) {
        const x = v[i];
        if (x !== x || x === Infinity || x === -Infinity) continue;
        if (out[0] < 0 || x < v[out[0]]) out[0] = i;
        if (out[1] < 0 || x > v[out[1]]) out[1] = i;
      }
      return;
    }
    const mn = this.mins[level];
    const mx = this.maxs[level];
    for (let b = lo; b < hi; b++) {
      const a = mn[b];
      if (a < 0) continue;
      if (out[0] < 0 || v[a] < v[out[0]]) out[0] = a;
      const c = mx[b];
      if (out[1] < 0 || v[c] > v[out[1]]) out[1] = c;
    }
  }

  private grow(): void {
    const cap = this.steps.length * 2;
    const steps = new Float64Array(cap);
    steps.set(this.steps);
    const values = new Float64Array(cap);
    values.set(this.values);
    this.steps = steps;
    this.values = values;
    for (let l = 0; l < LEVELS; l++) {
      const n = blocksFor(cap, l);
      if (n <= this.mins[l].length) continue;
      const mn = new Int32Array(n).fill(-1);
      mn.set(this.mins[l]);
      const mx = new Int32Array(n).fill(-1);
      mx.set(this.maxs[l]);
      this.mins[l] = mn;
      this.maxs[l] = mx;
    }
  }
}

function blocksFor(capacity: number, level: number): number {
  const bits = FANOUT_BITS * (level + 1);
  return Math.max(1, (capacity + (1 << bits) - 1) >> bits);
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

/** Index of the point whose step is nearest to x, or -1 for an empty series. */
export function nearestIndex(s: ReadonlySeries, x: number): number {
  if (!s.length) return -1;
  const i = lowerBound(s.steps, s.length, x);
  if (i === 0) return 0;
  if (i >= s.length) return s.length - 1;
  return x - s.steps[i - 1] <= s.steps[i] - x ? i - 1 : i;
}
