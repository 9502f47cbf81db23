// LOD must never hide a one-step spike, must be exact when zoomed in, and must stay bounded.
import { describe, it, expect } from 'vitest';
import { lod, lodCapacity } from './lod.ts';
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

/** The envelope computed from scratch: neighbours, then min/max of each power-of-two bucket in index order. */
function bruteEnvelope(steps: Float64Array, values: Float64Array, x0: number, x1: number, px: number): { steps: number[]; values: number[] } {
  let w = 2 ** Math.ceil(Math.log2((x1 - x0) / px));
  if ((x1 - x0) / w > px) w *= 2;
  const idx: number[] = [];
  const inside = [...steps.keys()].filter((i) => steps[i] >= x0 && steps[i] <= x1);
  const before = [...steps.keys()].filter((i) => steps[i] < x0).pop();
  const after = [...steps.keys()].find((i) => steps[i] > x1);
  if (before !== undefined) idx.push(before);
  const buckets = new Map<number, number[]>();
  for (const i of inside) {
    const b = Math.floor(steps[i] / w);
    if (!buckets.has(b)) buckets.set(b, []);
    buckets.get(b)!.push(i);
  }
  for (const members of buckets.values()) {
    const finite = members.filter((i) => Number.isFinite(values[i]));
    if (!finite.length) {
      idx.push(members[0]);
      continue;
    }
    let mn = finite[0];
    let mx = finite[0];
    for (const i of finite) {
      if (values[i] < values[mn]) mn = i;
      if (values[i] > values[mx]) mx = i;
    }
    idx.push(...[...new Set([mn, mx])].sort((a, b) => a - b));
  }
  if (after !== undefined) idx.push(after);
  return { steps: idx.map((i) => steps[i]), values: idx.map((i) => values[i]) };
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

  it('bounds the output by 2·pixels + 4 and keeps it in step order', () => {
    for (const px of [1, 50, 800, 2000]) {
      const r = lod(buf, 0, n - 1, px);
      expect(r.full).toBe(false);
      expect(lodCapacity(px)).toBe(2 * px + 4);
      expect(r.length).toBeLessThanOrEqual(2 * px + 4);
      for (let i = 1; i < r.length; i++) expect(r.steps[i]).toBeGreaterThan(r.steps[i - 1]);
    }
  });

  it('keeps the true min and max of each bucket (cached envelope agrees with a linear scan)', () => {
    for (const [x0, x1, px] of [[0, n - 1, 640], [17, 99_999, 333], [5000, 5600, 100], [-50, n + 77, 999]] as const) {
      const a = lod(buf, x0, x1, px);
      const want = bruteEnvelope(steps, values, x0, x1, px);
      expect(Array.from(a.values.subarray(0, a.length))).toEqual(want.values);
      expect(Array.from(a.steps.subarray(0, a.length))).toEqual(want.steps);
    }
  });

  it('follows appends, tail replacement and clearing without going stale', () => {
    const live = new SeriesBuffer(16);
    let k = 0;
    const check = (): void => {
      const last = live.lastStep;
      for (const [x0, px] of [[0, 300], [last * 0.75, 120]] as const) {
        const got = lod(live, x0, last, px);
        const want = bruteEnvelope(live.steps.subarray(0, live.length), live.values.subarray(0, live.length), x0, last, px);
        expect(Array.from(got.steps.subarray(0, got.length)), `after ${live.length} points`).toEqual(want.steps);
        expect(Array.from(got.values.subarray(0, got.length))).toEqual(want.values);
      }
    };
    for (let batch = 0; batch < 40; batch++) {
      for (let i = 0; i < 1000; i++, k++) live.push(k, Math.sin(k / 50) + (k % 997 === 0 ? 9 : 0) + (k % 1499 === 0 ? NaN : 0));
      check();
    }
    // a resume replays steps from 30000 on with other values
    k = 30_000;
    for (let i = 0; i < 5000; i++, k++) live.push(k, -Math.cos(k / 30));
    check();
    live.clear();
    for (k = 0; k < 3000; k++) live.push(k * 3, k % 10);
    check();
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
