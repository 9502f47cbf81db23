// Statistics of seed replicates: mean, sample std, the baseline's noise band and Welch's t-test, so the compare
// view can say whether an ablation's difference is bigger than seed-to-seed noise.

export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Sample variance (n − 1 in the denominator); NaN below two values. */
function sampleVariance(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const m = mean(values);
  return values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1);
}

/** Sample standard deviation (n − 1); NaN below two values. */
export function sampleStd(values: readonly number[]): number {
  return Math.sqrt(sampleVariance(values));
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7: about 15 significant digits). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction of the incomplete beta function (modified Lentz; Numerical Recipes' betacf). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b), for 0 ≤ x ≤ 1 and a, b > 0. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (Number.isNaN(x) || !(a > 0) || !(b > 0)) return NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast only on one side of the mean; use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a).
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** Student t cumulative distribution P(T ≤ t) with df degrees of freedom (df may be fractional, as in Welch). */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** Two-sided p-value of a t statistic: P(|T| ≥ |t|). */
export function studentTTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (!Number.isFinite(t)) return 0;
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

export interface WelchResult {
  /** (mean(a) − mean(b)) / √(s²a/na + s²b/nb). */
  t: number;
  /** Welch–Satterthwaite degrees of freedom; NaN when both groups have zero spread. */
  df: number;
  /** Two-sided p-value. */
  p: number;
  /** mean(a) − mean(b). */
  difference: number;
}

/**
 * Welch's unequal-variances t-test of mean(a) = mean(b); null when either group has fewer than two values.
 * Zero spread in both groups (identical replicates) gives p = 1 for equal means and p = 0 otherwise.
 */
export function welchTTest(a: readonly number[], b: readonly number[]): WelchResult | null {
  if (a.length < 2 || b.length < 2) return null;
  const va = sampleVariance(a) / a.length;
  const vb = sampleVariance(b) / b.length;
  const difference = mean(a) - mean(b);
  const se2 = va + vb;
  if (se2 === 0) {
    return difference === 0
      ? { t: 0, df: NaN, p: 1, difference }
      : { t: difference > 0 ? Infinity : -Infinity, df: NaN, p: 0, difference };
  }
  const t = difference / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (a.length - 1) + (vb * vb) / (b.length - 1));
  return { t, df, p: studentTTwoSidedP(t, df), difference };
}

/** How many sample standard deviations the noise band spans on each side of the baseline mean. */
const NOISE_BAND_SIGMAS = 2;

export interface NoiseBand {
  mean: number;
  std: number;
  lower: number;
  upper: number;
  n: number;
  sigmas: number;
}

/**
 * The spread of the baseline over seeds: mean ± 2 sample standard deviations. It answers "where would one more
 * baseline seed land?" (≈ 95 % of seeds under normality), which is the question a single ablation run poses;
 * it is deliberately not the (narrower) confidence interval of the mean. Null below two seeds.
 */
export function noiseBand(baselineSeedValues: readonly number[], sigmas = NOISE_BAND_SIGMAS): NoiseBand | null {
  const values = baselineSeedValues.filter(Number.isFinite);
  if (values.length < 2) return null;
  const m = mean(values);
  const std = sampleStd(values);
  return { mean: m, std, lower: m - sigmas * std, upper: m + sigmas * std, n: values.length, sigmas };
}

export type Verdict = 'significant' | 'within noise' | 'needs seeds';

export interface Classification {
  verdict: Verdict;
  /** Welch p-value; null when a group has a single run. */
  p: number | null;
  t: number | null;
  df: number | null;
  /** Whether the group's mean lies inside the baseline's noise band; null without a band. */
  inNoiseBand: boolean | null;
  /** One line for tooltips and the CLI. */
  explanation: string;
}

/** Default significance level of the compare view. */
export const SIGNIFICANCE_LEVEL = 0.05;

function formatP(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : p.toPrecision(2);
}

/** Verdict of a group of seed values against the baseline's: Welch p < α is significant; single runs need seeds. */
export function classifyGroup(values: readonly number[], baselineValues: readonly number[], alpha = SIGNIFICANCE_LEVEL): Classification {
  const group = values.filter(Number.isFinite);
  const baseline = baselineValues.filter(Number.isFinite);
  const band = noiseBand(baseline);
  const inNoiseBand = band && group.length > 0 ? mean(group) >= band.lower && mean(group) <= band.upper : null;
  const test = welchTTest(group, baseline);
  if (!test) {
    const short = group.length < 2 ? 'this group' : 'the baseline';
    const bandNote = inNoiseBand === null ? '' : inNoiseBand ? '; inside the baseline noise band' : '; outside the baseline noise band';
    return {
      verdict: 'needs seeds',
      p: null,
      t: null,
      df: null,
      inNoiseBand,
      explanation: `${short} has fewer than 2 seeds, so no p-value${bandNote}. Run more seeds (3 is a good start).`,
    };
  }
  const significant = test.p < alpha;
  return {
    verdict: significant ? 'significant' : 'within noise',
    p: test.p,
    t: test.t,
    df: Number.isNaN(test.df) ? null : test.df,
    inNoiseBand,
    explanation: significant
      ? `Welch t-test p = ${formatP(test.p)} < ${alpha}: the difference is larger than seed noise.`
      : `Welch t-test p = ${formatP(test.p)} ≥ ${alpha}: the difference is within seed noise.`,
  };
}
