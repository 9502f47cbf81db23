// Seeded, labelled synthetic training curves for scoring the detectors: healthy decays with
// realistic noise, and the same decays with one known failure injected, labelled with the alert it should raise.
import type { Alert, AlertKind, Severity } from '../../../shared/alerts.ts';
import { MetricKey, type MetricPoint } from '../../../shared/metrics.ts';
import { GenKey } from '../keys.ts';

export const scenarios = [
  'healthy',
  'loss_spike_recovered', 'loss_spike_not_recovering', 'loss_spike_recurring',
  'grad_spike_recovered', 'grad_spike_not_recovering', 'grad_spike_recurring',
  'plateau_early', 'plateau_late',
  'grad_explosion', 'grad_collapse', 'clip_saturation',
  'non_finite_loss', 'non_finite_grad',
  'overfitting_gap', 'overfitting_rising',
  'response_collapse',
] as const;
export type Scenario = (typeof scenarios)[number];

/** The alert a curve must raise: same kind and severity (and spike classification), overlapping [step, stepEnd]. */
export interface ExpectedAlert {
  kind: AlertKind;
  severity: Severity;
  classification?: 'recovered' | 'not_recovering' | 'recurring';
  step: number;
  stepEnd: number;
}

export interface SyntheticCurve {
  scenario: Scenario;
  seed: number;
  plannedSteps: number;
  evalEvery: number;
  points: MetricPoint[];
  expected: ExpectedAlert[];
}

/** mulberry32: small, fast and good enough for test curves. */
export function makeRandom(seed: number): { u(): number; range(a: number, b: number): number; int(a: number, b: number): number; normal(): number } {
  let s = seed >>> 0;
  const u = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    const a = Math.max(u(), 1e-12);
    return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * u());
  };
  return { u, normal, range: (a, b) => a + (b - a) * u(), int: (a, b) => Math.floor(a + (b - a + 1) * u()) };
}

type Random = ReturnType<typeof makeRandom>;

/** The noise-free shape of a run, plus the noise that real per-batch curves carry. */
interface Base {
  n: number;
  evalEvery: number;
  /** Expected train loss per step (what the model's true loss is). */
  mu: Float64Array;
  /** Per-step train loss as logged: mu with batch noise, data-difficulty drift and small bumps. */
  loss: Float64Array;
  grad: Float64Array;
  /** Relative per-batch noise of the loss. */
  sigma: number;
  gradSigma: number;
  val: Map<number, number>;
  /** A fresh validation measurement at step t of a model whose true loss there is `trueLoss`. */
  valAt(t: number, trueLoss: number): number;
  gen: Map<number, { seqRep4: number; loopFraction: number; sameness: number }> | null;
  clip: number;
  /** The learning rate per step (peak 1e-3), logged as train/lr. */
  lr: Float64Array;
}

function healthyBase(r: Random, n: number): Base {
  // Loss follows a power law in the area under the learning-rate schedule (warmup, then cosine to 10%), the
  // usual shape of small-LM curves, with a little extra drop as the learning rate anneals.
  const warmup = Math.round(n * r.range(0.01, 0.05));
  const lr = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    lr[t] = t < warmup ? (t + 1) / warmup : 0.1 + 0.45 * (1 + Math.cos((Math.PI * (t - warmup)) / Math.max(1, n - warmup)));
  }
  const l0 = r.u() < 0.5 ? Math.log(256) : Math.log(r.int(60, 100));
  const mu = new Float64Array(n);
  // Healthy means "not a plateau by DESIGN §5 with margin": early 10%-of-run windows improve by at least 2%
  // without noise (real small-LM curves improve by 3–10% there). Shapes flatter than that are redrawn.
  for (let attempt = 0; attempt < 100; attempt++) {
    const lInf = r.range(1.0, Math.min(3.0, l0 - 1.2));
    const tau = r.range(0.005, 0.05) * n;
    const alpha = r.range(0.5, 1.2);
    const anneal = r.range(0, 0.03);
    let area = 0;
    for (let t = 0; t < n; t++) {
      area += lr[t];
      const reducible = (l0 - lInf) * Math.pow(1 + area / tau, -alpha);
      mu[t] = lInf + reducible - anneal * lInf * (1 - lr[t]) * (t >= warmup ? 1 : 0);
    }
    if (minEarlyImprovement(mu) >= 0.02) break;
  }

  // Per-batch noise (a few % for small batches), a slowly drifting data difficulty (some stretches of text
  // are harder) and occasional small bumps of a few σ that fade over a few steps.
  const sigma = r.range(0.01, 0.04);
  const driftPhi = r.range(0.95, 0.995);
  const driftSd = r.range(0, 0.25) * sigma;
  const loss = new Float64Array(n);
  let drift = 0;
  let bump = 0;
  for (let t = 0; t < n; t++) {
    drift = driftPhi * drift + driftSd * Math.sqrt(1 - driftPhi * driftPhi) * r.normal();
    bump *= 0.6;
    if (r.u() < 1 / 400) bump += r.range(1, 3) * sigma;
    loss[t] = mu[t] * Math.exp(sigma * r.normal() + drift + bump);
  }

  // Gradient norm: high at init, settling over warmup and a while after (measured on the baseline: clipped on
  // most of the first third of a 300-step run), then drifting slowly (it often creeps up late in training),
  // with log-normal per-step noise. A third of the curves hover right at the clip (1.0) as small models at a
  // usual learning rate do, clipped on roughly half their steps; the rest settle below it.
  const g0 = r.range(1.5, 4);
  const gMid = r.u() < 1 / 3 ? r.range(0.8, 1.05) : r.range(0.15, 0.6);
  // The baseline's grad norm fell by e over about half its warmup (3.0 at step 10 → 1.1 at step 60 of 100).
  const gTau = r.range(0.002, 0.01) * n + r.range(0.2, 0.6) * warmup;
  const gDrift = r.range(-0.3, Math.max(-0.1, Math.min(0.8, 0.7 / gMid - 1)));
  const gradSigma = r.range(0.05, 0.25);
  const grad = new Float64Array(n);
  let gWalk = 0;
  for (let t = 0; t < n; t++) {
    gWalk = 0.99 * gWalk + 0.1 * Math.sqrt(1 - 0.99 * 0.99) * r.normal();
    const level = gMid * (1 + (gDrift * t) / n) + (g0 - gMid) * Math.exp(-t / gTau);
    grad[t] = level * Math.exp(gradSigma * r.normal() + gWalk);
  }

  // Validation on fixed batches: the true loss plus a small distribution-shift offset and a little eval noise.
  const evalEvery = [50, 100, 100, 200, 250].filter((e) => n / e >= 10)[r.int(0, 2)] ?? 100;
  const valOffset = r.range(-0.02, 0.1);
  const valNoise = r.range(0.002, 0.008);
  const val = new Map<number, number>();
  for (let t = evalEvery; t < n; t += evalEvery) val.set(t, mu[t] + valOffset + valNoise * r.normal());
  val.set(n - 1, mu[n - 1] + valOffset + valNoise * r.normal());
  const valAt = (t: number, trueLoss: number): number => trueLoss + valOffset + valNoise * r.normal();

  // Generation health on the diagnostic prompts (half the curves sample): an untrained model loops, then
  // repetition falls to a healthy level well before a fifth of the run.
  let gen: Base['gen'] = null;
  if (r.u() < 0.5) {
    gen = new Map();
    const settle = r.range(0.03, 0.12) * n;
    const rep = r.range(0.1, 0.35);
    const loops = r.range(0.05, 0.3);
    const same = r.range(0.2, 0.6);
    for (const t of val.keys()) {
      const early = Math.exp(-t / settle);
      gen.set(t, {
        seqRep4: clamp01(rep + (0.85 - rep) * early + 0.03 * r.normal()),
        loopFraction: clamp01(loops + (0.95 - loops) * early + 0.05 * r.normal()),
        sameness: clamp01(same + (0.97 - same) * early + 0.03 * r.normal()),
      });
    }
  }
  const lrLogged = lr.map((v) => v * 1e-3);
  return { n, evalEvery, mu, loss, grad, sigma, gradSigma, val, valAt, gen, clip: 1.0, lr: lrLogged };
}

/** The smallest relative improvement of a noise-free curve over a 10%-of-run window starting in the first 20%. */
function minEarlyImprovement(mu: Float64Array): number {
  const n = mu.length;
  const w = Math.round(0.1 * n);
  let min = Infinity;
  for (let a = Math.round(0.02 * n); a < Math.round(0.2 * n) && a + w < n; a++) min = Math.min(min, (mu[a] - mu[a + w]) / mu[a]);
  return min;
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}

/** The local standard deviation of a curve over the 128 steps before `t` (what a spike must stand out from). */
function localStd(values: Float64Array, t: number): number {
  const from = Math.max(0, t - 128);
  let s = 0;
  let sq = 0;
  for (let i = from; i < t; i++) {
    s += values[i];
    sq += values[i] * values[i];
  }
  const k = t - from;
  const m = s / k;
  return Math.sqrt(Math.max(0, sq / k - m * m));
}

function localMean(values: Float64Array, t: number): number {
  const from = Math.max(0, t - 128);
  let s = 0;
  for (let i = from; i < t; i++) s += values[i];
  return s / (t - from);
}

/** Adds a decaying bump to a curve: `height` at `at`, fading with time constant `decay` (Infinity: a level shift). */
function addSpike(values: Float64Array, at: number, height: number, decay: number): void {
  for (let t = at; t < values.length; t++) {
    const k = Math.exp(-(t - at) / decay);
    if (k < 1e-4) break;
    values[t] += height * k;
  }
}

/** A spike height that stands clearly out of the local noise: 10–30 local σ, and at least 15% (real spikes are big). */
function spikeHeight(r: Random, values: Float64Array, at: number): number {
  return Math.max(r.range(10, 30) * localStd(values, at), r.range(0.15, 0.5) * localMean(values, at));
}

function inject(r: Random, scenario: Scenario, b: Base): { expected: ExpectedAlert[]; end: number } {
  const n = b.n;
  const at = (lo: number, hi: number): number => r.int(Math.round(lo * n), Math.round(hi * n));
  let end = n;
  const expected: ExpectedAlert[] = [];
  switch (scenario) {
    case 'healthy':
      break;
    case 'loss_spike_recovered':
    case 'grad_spike_recovered': {
      const values = scenario === 'loss_spike_recovered' ? b.loss : b.grad;
      const s = at(0.15, 0.9);
      // Keep grad spikes under the explosion factor so they test the spike detector alone.
      const h = scenario === 'grad_spike_recovered' ? Math.min(spikeHeight(r, values, s), r.range(3, 6) * localMean(values, s)) : spikeHeight(r, values, s);
      addSpike(values, s, h, r.range(1, 15));
      expected.push({ kind: scenario === 'loss_spike_recovered' ? 'loss_spike' : 'grad_spike', severity: 'info', classification: 'recovered', step: s, stepEnd: s + 2 });
      break;
    }
    case 'loss_spike_not_recovering':
    case 'grad_spike_not_recovering': {
      const values = scenario === 'loss_spike_not_recovering' ? b.loss : b.grad;
      const s = at(0.15, 0.85);
      const h = scenario === 'grad_spike_not_recovering' ? Math.min(spikeHeight(r, values, s), r.range(2, 6) * localMean(values, s)) : spikeHeight(r, values, s);
      // Diverging to a worse level that fades over thousands of steps, if at all.
      addSpike(values, s, h, r.range(500, 5000));
      expected.push({ kind: scenario === 'loss_spike_not_recovering' ? 'loss_spike' : 'grad_spike', severity: 'warning', classification: 'not_recovering', step: s, stepEnd: s + 2 });
      break;
    }
    case 'loss_spike_recurring':
    case 'grad_spike_recurring': {
      const values = scenario === 'loss_spike_recurring' ? b.loss : b.grad;
      // A bad batch met once per epoch: same place in the data order, so a constant interval (±1 step).
      const period = r.int(Math.max(80, Math.round(0.03 * n)), Math.round(0.15 * n));
      const count = r.int(3, 6);
      const first = r.int(Math.round(0.1 * n), Math.max(Math.round(0.1 * n), n - 20 - (count - 1) * period));
      const steps: number[] = [];
      for (let k = 0; k < count; k++) {
        const s = Math.min(n - 5, first + k * period + r.int(-1, 1));
        steps.push(s);
        const h = scenario === 'grad_spike_recurring' ? Math.min(spikeHeight(r, values, s), r.range(3, 6) * localMean(values, s)) : spikeHeight(r, values, s);
        addSpike(values, s, h, r.range(0.5, 3));
      }
      expected.push({ kind: scenario === 'loss_spike_recurring' ? 'loss_spike' : 'grad_spike', severity: 'warning', classification: 'recurring', step: steps[0], stepEnd: steps[steps.length - 1] });
      break;
    }
    case 'plateau_early':
    case 'plateau_late': {
      // Progress stalls (a learning rate too low for this stretch, a stuck phase) and later resumes.
      const early = scenario === 'plateau_early';
      const p0 = early ? at(0.02, 0.15) : at(0.35, 0.55);
      const len = Math.round(r.range(early ? 0.18 : 0.22, 0.35) * n);
      const p1 = Math.min(n - 1, p0 + len);
      const residual = r.range(0, 0.003);
      const orig = Float64Array.from(b.mu);
      const stalledAt = (t: number): number => orig[p0] * (1 - (residual * (Math.min(t, p1) - p0)) / (0.1 * n));
      for (let t = p0; t < n; t++) {
        // Held nearly flat until p1, then the decay resumes from where it stalled (shifted by the stall's length).
        const shifted = t <= p1 ? stalledAt(t) : stalledAt(p1) - (orig[p0] - orig[t - len]);
        b.loss[t] *= shifted / orig[t];
        b.mu[t] = shifted;
      }
      for (const [t, v] of b.val) if (t >= p0) b.val.set(t, v + b.mu[t] - orig[t]);
      expected.push({ kind: 'plateau', severity: early ? 'warning' : 'info', step: p0, stepEnd: p1 });
      break;
    }
    case 'grad_explosion': {
      const s = at(0.15, 0.9);
      const dur = r.int(1, 30);
      const factor = r.range(15, 100);
      for (let t = s; t < Math.min(n, s + dur); t++) b.grad[t] *= factor * Math.exp(0.3 * r.normal());
      expected.push({ kind: 'grad_explosion', severity: 'warning', step: s, stepEnd: s + 2 });
      break;
    }
    case 'grad_collapse': {
      const s = at(0.2, 0.8);
      const factor = Math.pow(10, r.range(-6, -3.5));
      for (let t = s; t < n; t++) {
        b.grad[t] *= factor;
        b.loss[t] = b.loss[s - 1] * Math.exp(b.sigma * r.normal());
      }
      expected.push({ kind: 'grad_collapse', severity: 'warning', step: s, stepEnd: s + 5 });
      break;
    }
    case 'clip_saturation': {
      // Gradient norm climbs over a few hundred steps to several times the clip and stays there.
      const s = at(0.15, 0.7);
      const ramp = r.int(50, 300);
      const target = r.range(2, 6) / Math.max(1e-9, localMean(b.grad, s));
      for (let t = s; t < n; t++) b.grad[t] *= 1 + (target - 1) * Math.min(1, (t - s) / ramp);
      // The learning rate is too high for the clip to rescue: the loss stops improving as the norm starts to climb.
      for (let t = s; t < n; t++) b.loss[t] = b.mu[s] * Math.exp(b.sigma * r.normal());
      expected.push({ kind: 'clip_saturation', severity: 'warning', step: s, stepEnd: n - 1 });
      break;
    }
    case 'non_finite_loss':
    case 'non_finite_grad': {
      // The worker stops a few steps after the first NaN/Inf, so the curve ends there.
      const s = at(0.05, 0.95);
      end = Math.min(n, s + r.int(1, 3));
      if (scenario === 'non_finite_loss') {
        for (let t = s; t < end; t++) {
          b.loss[t] = NaN;
          b.grad[t] = NaN;
        }
      } else {
        b.grad[s] = Infinity;
        for (let t = s + 1; t < end; t++) {
          b.loss[t] = NaN;
          b.grad[t] = NaN;
        }
      }
      expected.push({ kind: 'non_finite', severity: 'error', step: s, stepEnd: s });
      break;
    }
    case 'overfitting_gap':
    case 'overfitting_rising': {
      // Memorising: validation loss bottoms out at s and turns up while training loss keeps falling, faster than before.
      const s = at(0.2, 0.55);
      const trainDrop = scenario === 'overfitting_gap' ? r.range(0.4, 1.0) : r.range(0.05, 0.2);
      const valRise = scenario === 'overfitting_gap' ? r.range(0.1, 0.6) : r.range(0.12, 0.3);
      const valFloor = b.mu[s];
      for (let t = s; t < n; t++) {
        const x = (t - s) / (n - s);
        const down = trainDrop * Math.pow(x, 1.3);
        b.loss[t] -= down * (b.loss[t] / b.mu[t]);
        b.mu[t] -= down;
      }
      for (const [t] of b.val) {
        if (t < s) continue;
        b.val.set(t, b.valAt(t, valFloor + valRise * Math.pow((t - s) / (n - s), 1.2)));
      }
      expected.push({ kind: 'overfitting', severity: 'warning', step: s, stepEnd: n - 1 });
      break;
    }
    case 'response_collapse': {
      const s0 = at(0.3, 0.8);
      const evalSteps = [...b.val.keys()].filter((t) => t >= s0);
      const s = evalSteps[0] ?? n - 1;
      if (!b.gen) b.gen = new Map([...b.val.keys()].map((t) => [t, { seqRep4: r.range(0.1, 0.3), loopFraction: r.range(0.05, 0.3), sameness: r.range(0.2, 0.6) }]));
      const which = r.int(0, 2);
      for (const t of evalSteps) {
        const g = b.gen.get(t)!;
        if (which === 0 || r.u() < 0.3) g.seqRep4 = r.range(0.55, 0.95);
        if (which === 1 || r.u() < 0.3) g.loopFraction = r.range(0.6, 1);
        if (which === 2 || r.u() < 0.3) g.sameness = r.range(0.93, 1);
      }
      expected.push({ kind: 'response_collapse', severity: 'warning', step: s, stepEnd: s });
      break;
    }
  }
  return { expected, end };
}

/** One labelled curve; the same (scenario, seed) always gives the same points. */
export function syntheticCurve(scenario: Scenario, seed: number, opts: { minSteps?: number; maxSteps?: number } = {}): SyntheticCurve {
  const r = makeRandom(seed * 7919 + scenarios.indexOf(scenario) * 104729);
  const n = r.int(opts.minSteps ?? 1500, opts.maxSteps ?? 5000);
  const base = healthyBase(r, n);
  const { expected, end } = inject(r, scenario, base);
  const points: MetricPoint[] = [];
  for (let t = 0; t < end; t++) {
    points.push({ step: t, key: MetricKey.trainLoss, value: base.loss[t] });
    points.push({ step: t, key: MetricKey.lr, value: base.lr[t] });
    points.push({ step: t, key: MetricKey.gradNorm, value: base.grad[t] });
    points.push({ step: t, key: MetricKey.clipped, value: base.grad[t] > base.clip ? 1 : 0 });
    const v = base.val.get(t);
    if (v !== undefined) points.push({ step: t, key: MetricKey.valLoss, value: v });
    const g = base.gen?.get(t);
    if (g) {
      points.push({ step: t, key: GenKey.seqRep4, value: g.seqRep4 });
      points.push({ step: t, key: GenKey.loopFraction, value: g.loopFraction });
      points.push({ step: t, key: GenKey.sameness, value: g.sameness });
    }
  }
  return { scenario, seed, plannedSteps: n, evalEvery: base.evalEvery, points, expected };
}

/** Whether a raised alert is the one a label expects: same kind, severity and classification, overlapping in steps. */
export function matchesExpected(alert: Alert, exp: ExpectedAlert): boolean {
  if (alert.kind !== exp.kind || alert.severity !== exp.severity) return false;
  if (exp.classification && alert.evidence.classification !== exp.classification) return false;
  const end = alert.stepEnd ?? alert.step;
  return alert.step <= exp.stepEnd && end >= exp.step;
}

/** The labelled set the scoring test uses: `perScenario` curves of every scenario, seeds derived from `seed`. */
export function syntheticSet(seed: number, perScenario: number): SyntheticCurve[] {
  const out: SyntheticCurve[] = [];
  for (const scenario of scenarios) for (let i = 0; i < perScenario; i++) out.push(syntheticCurve(scenario, seed + i));
  return out;
}

/** Steps of a curve before anything was injected (all of a healthy one): false warnings are counted over these. */
export function healthySteps(curve: SyntheticCurve): number {
  const end = curve.points.length ? curve.points[curve.points.length - 1].step + 1 : 0;
  return curve.expected.length ? Math.min(end, ...curve.expected.map((e) => e.step)) : end;
}
