// Welch's t-test and its special functions against reference values computed with SciPy 1.10.1
// (scipy.stats.ttest_ind(a, b, equal_var=False), scipy.stats.t.cdf, scipy.special.betainc/gammaln), once, by hand.
import { describe, expect, it } from 'vitest';
import {
  classifyGroup,
  lnGamma,
  mean,
  noiseBand,
  regularizedIncompleteBeta,
  sampleStd,
  studentTCdf,
  studentTTwoSidedP,
  welchTTest,
} from './stats.ts';

describe('special functions', () => {
  it.each([
    [0.5, 0.5723649429247],
    [1, 0],
    [3.7, 1.428072326665388],
    [10, 12.801827480081469],
    [100.5, 361.43554046777757],
  ])('lnGamma(%s) = %s', (x, expected) => {
    expect(lnGamma(x)).toBeCloseTo(expected, 11);
  });

  it.each([
    [0.3, 2, 3, 0.3483],
    [0.9, 0.5, 0.5, 0.7951672353008662],
    [0.5, 50, 60, 0.8309072939016694],
  ])('I_%s(%s, %s) = %s', (x, a, b, expected) => {
    expect(regularizedIncompleteBeta(x, a, b)).toBeCloseTo(expected, 12);
  });

  it('is accurate in the far tail (relative error)', () => {
    const value = regularizedIncompleteBeta(0.01, 10, 0.5);
    expect(Math.abs(value / 1.7700349655285743e-21 - 1)).toBeLessThan(1e-9);
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
  });

  // scipy.stats.t.cdf(t, df) and 2·t.sf(|t|, df)
  it.each([
    [2.0, 5, 0.9490302605850709, 0.10193947882985828],
    [-1.5, 2.5, 0.12391822654314802, 0.24783645308629604],
    [0.3, 1, 0.5927735790777423, 0.8144528418445154],
    [3.0, 30, 0.997305017967174, 0.005389964065651944],
    [1.0, 1000, 0.8412237909576636, 0.3175524180846726],
    [-4.0, 7.3, 0.0023811835821635537, 0.0047623671643271075],
  ])('Student t(%s; df %s): cdf %s, two-sided p %s', (t, df, cdf, p) => {
    expect(studentTCdf(t, df)).toBeCloseTo(cdf, 12);
    expect(studentTTwoSidedP(t, df)).toBeCloseTo(p, 12);
  });

  it('t table: the two-sided 5% critical value of df = 10 is 2.228', () => {
    expect(studentTTwoSidedP(2.228, 10)).toBeCloseTo(0.05, 4);
    expect(studentTCdf(0, 3)).toBe(0.5);
  });
});

describe('welchTTest', () => {
  it('reproduces the Wikipedia example 2 (t = −2.46, df ≈ 25.0, p = 0.021)', () => {
    const a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    const r = welchTTest(a, b)!;
    // SciPy: t = -2.455356398286006, df = 24.988529290231416, p = 0.021378001462866985
    expect(r.t).toBeCloseTo(-2.455356398286006, 10);
    expect(r.df).toBeCloseTo(24.988529290231416, 9);
    expect(r.p).toBeCloseTo(0.021378001462866985, 10);
    expect(sampleStd(a)).toBeCloseTo(2.8048936827317665, 12);
  });

  it.each([
    // three seeds of two val losses; SciPy: t, df, p
    [[3.45, 3.42, 3.47], [3.4, 3.41, 3.39], 2.9848100289785156, 2.6162162162162104, 0.06931182951510922],
    [[1.0, 2.0], [10.0, 11.0, 12.5, 9.0, 30.0], -3.2914029430219167, 4.126975378647362, 0.028810496429777947],
    [[1.5, 1.5001], [1.5, 1.5002, 1.4999], 0.16439898730426217, 2.8942917547568703, 0.8802234038125799],
  ])('%j vs %j', (a, b, t, df, p) => {
    const r = welchTTest(a, b)!;
    expect(r.t).toBeCloseTo(t, 8);
    expect(r.df).toBeCloseTo(df, 8);
    expect(r.p).toBeCloseTo(p, 10);
    expect(r.difference).toBeCloseTo(mean(a) - mean(b), 14);
  });

  it('needs two values per group and handles zero spread', () => {
    expect(welchTTest([1], [1, 2, 3])).toBeNull();
    expect(welchTTest([1, 2], [])).toBeNull();
    expect(welchTTest([2, 2], [2, 2, 2])).toMatchObject({ t: 0, p: 1 });
    expect(welchTTest([2, 2], [3, 3])).toMatchObject({ t: -Infinity, p: 0 });
    // One group constant: df falls back to the other group's n − 1.
    expect(welchTTest([2, 2, 2], [1, 2, 3])!.df).toBeCloseTo(2, 12);
  });
});

describe('noise band and verdicts', () => {
  it('is the baseline mean ± 2 sample standard deviations, null below two seeds', () => {
    const band = noiseBand([1.50, 1.52, 1.49])!;
    const std = Math.sqrt(((1.5 - 1.503333333333333) ** 2 + (1.52 - 1.503333333333333) ** 2 + (1.49 - 1.503333333333333) ** 2) / 2);
    expect(band.mean).toBeCloseTo(1.503333333333333, 12);
    expect(band.std).toBeCloseTo(std, 12);
    expect(band.lower).toBeCloseTo(band.mean - 2 * std, 12);
    expect(band.upper).toBeCloseTo(band.mean + 2 * std, 12);
    expect(band).toMatchObject({ n: 3, sigmas: 2 });
    expect(noiseBand([1.5])).toBeNull();
    expect(noiseBand([1.5, NaN])).toBeNull();
  });

  it('calls a clear improvement significant and a seed-sized one within noise', () => {
    const baseline = [1.50, 1.52, 1.49];
    const better = classifyGroup([1.40, 1.41, 1.39], baseline);
    expect(better.verdict).toBe('significant');
    expect(better.p).toBeLessThan(0.05);
    expect(better.inNoiseBand).toBe(false);
    const same = classifyGroup([1.51, 1.49, 1.505], baseline);
    expect(same.verdict).toBe('within noise');
    expect(same.p).toBeGreaterThan(0.05);
    expect(same.inNoiseBand).toBe(true);
    expect(same.explanation).toMatch(/within seed noise/);
  });

  it('asks for seeds when a group has one run, still placing it against the noise band', () => {
    const single = classifyGroup([1.2], [1.50, 1.52, 1.49]);
    expect(single).toMatchObject({ verdict: 'needs seeds', p: null, t: null, inNoiseBand: false });
    expect(single.explanation).toMatch(/fewer than 2 seeds/);
    const noBand = classifyGroup([1.2, 1.3], [1.5]);
    expect(noBand).toMatchObject({ verdict: 'needs seeds', p: null, inNoiseBand: null });
    expect(noBand.explanation).toMatch(/^the baseline/);
  });
});
