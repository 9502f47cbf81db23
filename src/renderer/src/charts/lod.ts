// Chart level of detail: what to draw of a full-resolution series for a visible step range and a pixel width.
// Zoomed in it is every point; zoomed out it is a min/max envelope per bucket, so no single-step spike is hidden.
//
// Buckets are aligned to a power-of-two width in steps, so they do not move when the run grows or the view pans.
// Each series keeps an envelope per width it was drawn at, extended by the points appended since: a live redraw
// after a batch costs O(batch + buckets on screen), not O(points in the run).
import { lowerBound, upperBound, type ReadonlySeries } from './series-buffer.ts';

export interface LodResult {
  steps: Float64Array;
  values: Float64Array;
  /** Points written into steps/values. */
  length: number;
  /** True when every point in the visible range is drawn. */
  full: boolean;
  /** Points of the series whose step lies in the visible range. */
  visible: number;
}

/** Full resolution while visible points ≤ this many per pixel. */
const FULL_RES_POINTS_PER_PIXEL = 2;
/** Envelopes kept per series (one per bucket width recently drawn). */
const MAX_LEVELS = 4;

export function emptyLod(capacity = 0): LodResult {
  return { steps: new Float64Array(capacity), values: new Float64Array(capacity), length: 0, full: true, visible: 0 };
}

/** Most points lod() writes for a pixel width. */
export function lodCapacity(pixels: number): number {
  return 2 * Math.max(1, Math.floor(pixels)) + 4;
}

/**
 * Reduces `s` to at most lodCapacity(pixels) points for the step range [x0, x1]. One point on each side
 * outside the range is kept so lines run to the chart edges. `out` is reused when large enough.
 * A series without `revision` must only ever grow (its envelopes are extended, never rebuilt, while it does).
 */
export function lod(s: ReadonlySeries, x0: number, x1: number, pixels: number, out?: LodResult): LodResult {
  const px = Math.max(1, Math.floor(pixels));
  const cap = lodCapacity(px);
  const r = out && out.steps.length >= cap ? out : emptyLod(cap);
  r.length = 0;
  const n = s.length;
  const i0 = lowerBound(s.steps, n, x0);
  const i1 = upperBound(s.steps, n, x1);
  r.visible = Math.max(0, i1 - i0);
  r.full = r.visible <= FULL_RES_POINTS_PER_PIXEL * px || !(x1 > x0);
  if (n === 0) return r;
  if (i0 > 0) emit(r, s, i0 - 1);
  if (r.full) {
    for (let i = i0; i < i1; i++) emit(r, s, i);
  } else {
    envelope(r, s, x0, x1, px, i0, i1);
  }
  if (i1 < n) emit(r, s, i1);
  return r;
}

/** Min/max per power-of-two bucket over [i0, i1): cached for whole buckets, scanned at the two cut edges. */
function envelope(r: LodResult, s: ReadonlySeries, x0: number, x1: number, px: number, i0: number, i1: number): void {
  let level = Math.ceil(Math.log2((x1 - x0) / px));
  if ((x1 - x0) / 2 ** level > px) level++; // log2 rounding: never more than px + 1 buckets
  const w = 2 ** level;
  const b0 = Math.floor(x0 / w);
  const b1 = Math.floor(x1 / w);
  const mm = new Int32Array(2);
  const n = s.length;
  // First bucket: only its visible part.
  const e0 = b1 === b0 ? i1 : Math.min(i1, lowerBound(s.steps, n, (b0 + 1) * w));
  scan(s, i0, e0, mm);
  emitPair(r, s, mm);
  if (b1 === b0) return;
  const s1 = Math.max(e0, lowerBound(s.steps, n, b1 * w));
  const env = envelopeFor(s, level);
  if (env) {
    const lo = Math.max(b0 + 1, env.base);
    const hi = Math.min(b1, env.base + env.count);
    for (let b = lo; b < hi; b++) {
      mm[0] = env.mn[b - env.base];
      mm[1] = env.mx[b - env.base];
      emitPair(r, s, mm);
    }
  } else {
    // Too sparse to cache over the whole run: bucket the visible points directly.
    let start = e0;
    while (start < s1) {
      const end = Math.min(s1, lowerBound(s.steps, n, (Math.floor(s.steps[start] / w) + 1) * w));
      scan(s, start, end, mm);
      emitPair(r, s, mm);
      start = end;
    }
  }
  // Last bucket: only its visible part (it is also where live points land).
  scan(s, s1, i1, mm);
  emitPair(r, s, mm);
}

/** Indices of the min and max finite value in [i0, i1); both -2-first when all are non-finite; -1 when empty. */
function scan(s: ReadonlySeries, i0: number, i1: number, mm: Int32Array): void {
  mm[0] = mm[1] = -1;
  for (let i = i0; i < i1; i++) fold(s.values, mm, 0, i);
}

function fold(v: Float64Array, mm: Int32Array, b: number, i: number): void {
  // mm holds [min, max] pairs; a pair is at mm[b] and mm[b + 1].
  const x = v[i];
  const m = mm[b];
  if (x !== x || x === Infinity || x === -Infinity) {
    if (m === -1) mm[b] = mm[b + 1] = -2 - i;
    return;
  }
  if (m < 0) {
    mm[b] = mm[b + 1] = i;
    return;
  }
  if (x < v[m]) mm[b] = i;
  if (x > v[mm[b + 1]]) mm[b + 1] = i;
}

function emitPair(r: LodResult, s: ReadonlySeries, mm: Int32Array): void {
  const a = mm[0];
  const b = mm[1];
  if (a === -1) return;
  if (a <= -2) emit(r, s, -2 - a); // only non-finite values here: draw one, the line breaks on it
  else if (a === b) emit(r, s, a);
  else if (a < b) {
    emit(r, s, a);
    emit(r, s, b);
  } else {
    emit(r, s, b);
    emit(r, s, a);
  }
}

function emit(r: LodResult, s: ReadonlySeries, i: number): void {
  r.steps[r.length] = s.steps[i];
  r.values[r.length] = s.values[i];
  r.length++;
}

/** Per-bucket min/max of a whole series at one bucket width, folded in as points arrive. */
class Envelope {
  base = 0;
  count = 0;
  /** Points folded in so far. */
  done = 0;
  mn = new Int32Array(64);
  mx = new Int32Array(64);
  used = 0;
  constructor(readonly w: number, readonly revision: number | undefined) {}

  extend(s: ReadonlySeries): void {
    const n = s.length;
    if (this.done >= n) return;
    const st = s.steps;
    const v = s.values;
    if (this.done === 0) this.base = Math.floor(st[0] / this.w);
    this.ensure(Math.floor(st[n - 1] / this.w) - this.base + 1);
    const mm = new Int32Array(2);
    let cur = -1;
    for (let i = this.done; i < n; i++) {
      const b = Math.floor(st[i] / this.w) - this.base;
      if (b !== cur) {
        if (cur >= 0) {
          this.mn[cur] = mm[0];
          this.mx[cur] = mm[1];
        }
        for (let e = this.count; e <= b; e++) this.mn[e] = this.mx[e] = -1;
        if (b >= this.count) this.count = b + 1;
        cur = b;
        mm[0] = this.mn[b];
        mm[1] = this.mx[b];
      }
      fold(v, mm, 0, i);
    }
    this.mn[cur] = mm[0];
    this.mx[cur] = mm[1];
    this.done = n;
  }

  private ensure(buckets: number): void {
    if (buckets <= this.mn.length) return;
    const cap = Math.max(buckets, this.mn.length * 2);
    const mn = new Int32Array(cap);
    mn.set(this.mn.subarray(0, this.count));
    const mx = new Int32Array(cap);
    mx.set(this.mx.subarray(0, this.count));
    this.mn = mn;
    this.mx = mx;
  }
}

const envelopes = new WeakMap<ReadonlySeries, Map<number, Envelope>>();
let clock = 0;

/** The series' envelope at 2^level, brought up to date; null when it would hold far more buckets than points. */
function envelopeFor(s: ReadonlySeries, level: number): Envelope | null {
  const w = 2 ** level;
  const span = s.steps[s.length - 1] - s.steps[0];
  if (span / w > 4 * s.length + 4096) return null;
  let levels = envelopes.get(s);
  if (!levels) envelopes.set(s, (levels = new Map()));
  let env = levels.get(level);
  if (env && (env.revision !== s.revision || env.done > s.length)) env = undefined;
  if (!env) {
    if (levels.size >= MAX_LEVELS) {
      let oldest: number | null = null;
      for (const [k, e] of levels) if (oldest === null || e.used < levels.get(oldest)!.used) oldest = k;
      levels.delete(oldest!);
    }
    env = new Envelope(w, s.revision);
    levels.set(level, env);
  }
  env.used = ++clock;
  env.extend(s);
  return env;
}
