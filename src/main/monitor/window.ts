// Fixed-size sliding windows the detectors keep per metric: mean/σ, median and a 0/1 count.
// Each costs O(1) (the median O(window), a fixed bound) per value, independent of run length.

/** Mean and sample standard deviation of the last `capacity` values. */
export class WindowStats {
  private readonly values: Float64Array;
  private next = 0;
  private count = 0;
  private sum = 0;
  private sumSq = 0;
  private sinceResum = 0;

  constructor(readonly capacity: number) {
    this.values = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(v: number): void {
    if (this.count === this.capacity) {
      const old = this.values[this.next];
      this.sum -= old;
      this.sumSq -= old * old;
    } else {
      this.count++;
    }
    this.values[this.next] = v;
    this.next = (this.next + 1) % this.capacity;
    this.sum += v;
    this.sumSq += v * v;
    // Running sums drift with rounding over millions of pushes; resumming once per window keeps them exact enough.
    if (++this.sinceResum >= this.capacity) this.resum();
  }

  mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  std(): number {
    if (this.count < 2) return 0;
    const m = this.sum / this.count;
    return Math.sqrt(Math.max(0, (this.sumSq - this.count * m * m) / (this.count - 1)));
  }

  clear(): void {
    this.next = 0;
    this.count = 0;
    this.sum = 0;
    this.sumSq = 0;
    this.sinceResum = 0;
  }

  private resum(): void {
    this.sinceResum = 0;
    let s = 0;
    let sq = 0;
    for (let i = 0; i < this.count; i++) {
      const v = this.values[i];
      s += v;
      sq += v * v;
    }
    this.sum = s;
    this.sumSq = sq;
  }
}

/** Median of the last `capacity` values: a sorted copy of the window, updated by binary search. */
export class WindowMedian {
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.ring = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(v: number): void {
    if (this.count === this.capacity) {
      const old = this.ring[this.next];
      const at = this.lowerBound(old);
      this.sorted.copyWithin(at, at + 1, this.count);
      this.count--;
    }
    this.ring[this.next] = v;
    this.next = (this.next + 1) % this.capacity;
    const at = this.lowerBound(v);
    this.sorted.copyWithin(at + 1, at, this.count);
    this.sorted[at] = v;
    this.count++;
  }

  median(): number {
    if (this.count === 0) return NaN;
    const mid = this.count >> 1;
    return this.count % 2 === 1 ? this.sorted[mid] : (this.sorted[mid - 1] + this.sorted[mid]) / 2;
  }

  private lowerBound(v: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** How many of the last `capacity` flags were set. */
export class WindowCount {
  private readonly flags: Uint8Array;
  private next = 0;
  private filled = 0;
  private ones = 0;

  constructor(readonly capacity: number) {
    this.flags = new Uint8Array(capacity);
  }

  get size(): number {
    return this.filled;
  }

  get count(): number {
    return this.ones;
  }

  push(flag: boolean): void {
    if (this.filled === this.capacity) this.ones -= this.flags[this.next];
    else this.filled++;
    const bit = flag ? 1 : 0;
    this.flags[this.next] = bit;
    this.ones += bit;
    this.next = (this.next + 1) % this.capacity;
  }
}

/** Exact median of a small array (used once, for baselines taken over the first steps of a run). */
export function medianOf(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
