// The series buffer's pyramid must answer min/max queries exactly, across growth and tail replacement.
import { describe, it, expect } from 'vitest';
import { SeriesBuffer, nearestIndex } from './series-buffer.ts';
import { SmoothedSeries } from './smoothing.ts';

function bruteMinMax(v: Float64Array, i0: number, i1: number): [number, number] {
  let mn = -1;
  let mx = -1;
  for (let i = i0; i < i1; i++) {
    if (!Number.isFinite(v[i])) continue;
    if (mn < 0 || v[i] < v[mn]) mn = i;
    if (mx < 0 || v[i] > v[mx]) mx = i;
  }
  return [mn, mx];
}

describe('SeriesBuffer', () => {
  it('answers argMinMax like a linear scan on random ranges, after growing and truncating', () => {
    let seed = 42;
    const rand = (): number => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const b = new SeriesBuffer(16);
    for (let i = 0; i < 70_000; i++) b.push(i, rand() < 0.001 ? NaN : rand());
    b.truncateFrom(66_000); // a resume replays steps from 66000
    for (let i = 66_000; i < 80_000; i++) b.push(i, rand() * 2);
    expect(b.length).toBe(80_000);
    const out = new Int32Array(2);
    for (let t = 0; t < 300; t++) {
      const a = Math.floor(rand() * b.length);
      const c = a + Math.floor(rand() * (b.length - a)) + 1;
      b.argMinMax(a, c, out);
      const [mn, mx] = bruteMinMax(b.values, a, c);
      expect(b.values[out[0]]).toBe(b.values[mn]);
      expect(b.values[out[1]]).toBe(b.values[mx]);
    }
  });

  it('replaces the tail when a step repeats', () => {
    const b = new SeriesBuffer();
    for (let i = 0; i < 10; i++) b.push(i, i);
    b.push(5, 100);
    expect(b.length).toBe(6);
    expect(b.values[5]).toBe(100);
    const out = new Int32Array(2);
    b.argMinMax(0, 6, out);
    expect(out[1]).toBe(5);
  });

  it('finds the nearest step', () => {
    const b = SeriesBuffer.from([0, 10, 20], [1, 2, 3]);
    expect(nearestIndex(b, 4)).toBe(0);
    expect(nearestIndex(b, 6)).toBe(1);
    expect(nearestIndex(b, 99)).toBe(2);
  });
});

describe('SmoothedSeries', () => {
  it('smooths without altering the raw series and follows appends', () => {
    const raw = SeriesBuffer.from([0, 1, 2, 3], [4, 0, 4, 0]);
    const s = new SmoothedSeries(raw, 0.6);
    expect(Array.from(raw.values.subarray(0, 4))).toEqual([4, 0, 4, 0]);
    expect(s.smooth.values[0]).toBeCloseTo(4); // debiased: the first value is itself
    expect(s.smooth.values[1]).toBeCloseTo((0.4 * 4 * 0.6 + 0.4 * 0) / (1 - 0.36));
    raw.push(4, 4);
    s.sync();
    expect(s.smooth.length).toBe(5);
    // a resumed run replays steps 3.. with other values: the smoothed twin starts over
    raw.push(3, 10);
    s.sync();
    expect(s.smooth.length).toBe(4);
    expect(s.smooth.values[3]).toBeGreaterThan(4);
    s.setWeight(0);
    expect(Array.from(s.smooth.values.subarray(0, 4))).toEqual([4, 0, 4, 10]);
  });
});
