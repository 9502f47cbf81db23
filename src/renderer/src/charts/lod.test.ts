// LOD must never hide a one-step spike, must be exact when zoomed in, and must stay bounded.
import { describe, it, expect } from 'vitest';
import { lod } from './lod.ts';
import { SeriesBuffer } from './series-buffer.ts';

function noisyDecay(n: number, seed = 7): { steps: Float64Array; values: Float64Array } {
  let s = seed;
  const rand = (): number => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const steps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    steps[i] = i;
    values[i] = 2 + 3 * Math.exp(-i / (n / 5)) + 0.05 * (rand() - 0.5);
  }
  return { steps, values };
}

describe('lod', () => {
  const n = 200_000;
  const spikeAt = 123_457;
  const { steps, values } = noisyDecay(n);
  values[spikeAt] = 50;
  const dipAt = 54_321;
  values[dipAt] = -10;
  const buf = SeriesBuffer.from(steps, values);
  const plain = { length: n, steps, values };

  it('keeps a one-step spike and dip at every zoom level and pixel width', () => {
    for (const series of [buf, plain]) {
      for (const px of [1, 7, 300, 1000, 1920]) {
        for (let span = 10; span <= 2 * n; span *= 3) {
          for (const center of [spikeAt, dipAt]) {
            const x0 = center - Math.floor(span / 2);
            const x1 = x0 + span;
            const r = lod(series, x0, x1, px);
            const got = Array.from(r.steps.subarray(0, r.length));
            expect(got, `px=${px} span=${span} center=${center}`).toContain(center);
          }
        }
      }
    }
  });

  it('draws every visible point when zoomed in', () => {
    const r = lod(buf, 1000, 1999, 1000);
    expect(r.full).toBe(true);
    expect(r.visible).toBe(1000);
    // one neighbour each side plus all 1000 visible points, exactly as stored
    expect(r.length).toBe(1002);
    for (let i = 0; i < r.length; i++) {
      expect(r.steps[i]).toBe(999 + i);
      expect(r.values[i]).toBe(values[999 + i]);
    }
  });

  it('bounds the output by 2·pixels + 2 and keeps it in step order', () => {
    for (const px of [1, 50, 800, 2000]) {
      const r = lod(buf, 0, n - 1, px);
      expect(r.full).toBe(false);
      expect(r.length).toBeLessThanOrEqual(2 * px + 2);
      for (let i = 1; i < r.length; i++) expect(r.steps[i]).toBeGreaterThan(r.steps[i - 1]);
    }
  });

  it('keeps the true min and max of each bucket (pyramid agrees with a linear scan)', () => {
    for (const [x0, x1, px] of [[0, n - 1, 640], [17, 99_999, 333], [5000, 5600, 100]] as const) {
      const a = lod(buf, x0, x1, px);
      const b = lod(plain, x0, x1, px);
      expect(Array.from(a.steps.subarray(0, a.length))).toEqual(Array.from(b.steps.subarray(0, b.length)));
      expect(Array.from(a.values.subarray(0, a.length))).toEqual(Array.from(b.values.subarray(0, b.length)));
    }
  });

  it('handles sparse series (val loss every 100 steps) and empty ranges', () => {
    const sparse = new SeriesBuffer();
    for (let s = 0; s <= 10_000; s += 100) sparse.push(s, 5 - s / 10_000);
    const r = lod(sparse, 2050, 2950, 800);
    expect(r.full).toBe(true);
    expect(Array.from(r.steps.subarray(0, r.length))).toEqual([2000, 2100, 2200, 2300, 2400, 2500, 2600, 2700, 2800, 2900, 3000]);
    const e = lod(new SeriesBuffer(), 0, 10, 100);
    expect(e.length).toBe(0);
  });

  it('keeps non-finite points out of the envelope but still shows an all-NaN bucket', () => {
    const b = new SeriesBuffer();
    for (let i = 0; i < 10_000; i++) b.push(i, i >= 9000 ? NaN : 1 + (i % 7));
    const r = lod(b, 0, 9999, 10);
    const vals = Array.from(r.values.subarray(0, r.length));
    expect(vals.filter((v) => Number.isFinite(v)).every((v) => v >= 1 && v <= 7)).toBe(true);
    expect(vals.some((v) => Number.isNaN(v))).toBe(true);
  });
});
