// Chart level of detail: what to draw of a full-resolution series for a visible step range and a pixel width.
// Zoomed in it is every point; zoomed out it is a min/max envelope per pixel bucket, so no single-step spike is hidden.
import { lowerBound, type ReadonlySeries } from './series-buffer.ts';

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
export const FULL_RES_POINTS_PER_PIXEL = 2;

export function emptyLod(capacity = 0): LodResult {
  return { steps: new Float64Array(capacity), values: new Float64Array(capacity), length: 0, full: true, visible: 0 };
}

/**
 * Reduces `s` to at most 2·pixels + 2 points for the step range [x0, x1]. One point on each side
 * outside the range is kept so lines run to the chart edges. `out` is reused when large enough.
 */
export function lod(s: ReadonlySeries, x0: number, x1: number, pixels: number, out?: LodResult): LodResult {
  const px = Math.max(1, Math.floor(pixels));
  const cap = 2 * px + 2;
  const r = out && out.steps.length >= cap ? out : emptyLod(cap);
  r.length = 0;
  const n = s.length;
  const i0 = lowerBound(s.steps, n, x0);
  const i1 = upperBound(s.steps, n, x1);
  r.visible = Math.max(0, i1 - i0);
  r.full = r.visible <= FULL_RES_POINTS_PER_PIXEL * px;
  if (n === 0) return r;
  if (i0 > 0) emit(r, s, i0 - 1);
  if (r.full) {
    for (let i = i0; i < i1; i++) emit(r, s, i);
  } else {
    const mm = new Int32Array(2);
    const width = (x1 - x0) / px;
    let start = i0;
    for (let k = 0; k < px && start < i1; k++) {
      const end = k === px - 1 ? i1 : Math.min(i1, Math.max(start, lowerBound(s.steps, n, x0 + (k + 1) * width)));
      if (end > start) {
        argMinMax(s, start, end, mm);
        if (mm[0] < 0) emit(r, s, start); // only non-finite values here: draw one, the line breaks on it
        else if (mm[0] === mm[1]) emit(r, s, mm[0]);
        else if (mm[0] < mm[1]) {
          emit(r, s, mm[0]);
          emit(r, s, mm[1]);
        } else {
          emit(r, s, mm[1]);
          emit(r, s, mm[0]);
        }
      }
      start = end;
    }
  }
  if (i1 < n) emit(r, s, i1);
  return r;
}

function emit(r: LodResult, s: ReadonlySeries, i: number): void {
  r.steps[r.length] = s.steps[i];
  r.values[r.length] = s.values[i];
  r.length++;
}

/** Uses the series' pyramid when it has one, else a linear scan. */
function argMinMax(s: ReadonlySeries, i0: number, i1: number, out: Int32Array): void {
  if (s.argMinMax) {
    s.argMinMax(i0, i1, out);
    return;
  }
  out[0] = -1;
  out[1] = -1;
  const v = s.values;
  for (let i = i0; i < i1; i++) {
    const x = v[i];
    if (!Number.isFinite(x)) continue;
    if (out[0] < 0 || x < v[out[0]]) out[0] = i;
    if (out[1] < 0 || x > v[out[1]]) out[1] = i;
  }
}

/** First index in sorted `a[0..n)` whose value is > x. */
function upperBound(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
