// The series buffer stays sorted by step across bulk loads, growth and tail replacement; smoothing never alters it.
import { describe, it, expect } from 'vitest';
import { SeriesBuffer, nearestIndex } from './series-buffer.ts';
import { SmoothedSeries } from './smoothing.ts';

describe('SeriesBuffer', () => {
  it('loads a history in bulk, grows, and keeps steps sorted when a step repeats', () => {
    const b = new SeriesBuffer(16);
    b.load([1, 2, 3, 2, 5], ['1', '2', '3', '20', 'NaN'], Number);
    // step 2 repeated: the tail from step 2 was replaced, as a resumed run does
    expect(Array.from(b.steps.subarray(0, b.length))).toEqual([1, 2, 5]);
    expect(Array.from(b.values.subarray(0, b.length))).toEqual([1, 20, NaN]);
    const rev = b.revision;
    for (let i = 6; i < 5000; i++) b.push(i, i);
    expect(b.length).toBe(4997);
    expect(b.values[4996]).toBe(4999);
    b.clear();
    expect(b.length).toBe(0);
    expect(b.revision).toBeGreaterThan(rev);
  });

  it('replaces the tail when a step repeats', () => {
    const b = new SeriesBuffer();
    for (let i = 0; i < 10; i++) b.push(i, i);
    b.push(5, 100);
    expect(b.length).toBe(6);
    expect(b.values[5]).toBe(100);
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
