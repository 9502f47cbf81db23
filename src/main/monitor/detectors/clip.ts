// Clip saturation (DESIGN.md §5): gradient clipping fired on more than clip_saturation of the last clip_window
// steps, so the optimizer is taking clipped steps most of the time.
import type { Alert } from '../../../shared/alerts.ts';
import { WindowCount, WindowMedian } from '../window.ts';
import { ev, fmt, pct } from '../sink.ts';
import type { DetectorContext } from './context.ts';

interface SaturationEpisode {
  id: string;
  start: number;
  end: number;
  fraction: number;
  peakFraction: number;
  medianNorm: number;
  /** The step saturation was detected at. */
  detected: number;
  /** Mean train loss over the newest half of the loss window when it was detected; NaN without loss data. */
  startLoss: number;
  /** The same mean now. */
  loss: number;
  /** Sticky: the loss once failed to improve by clip_min_progress over clip_window steps or more of saturation. */
  stalled: boolean;
}

/**
 * Three things a healthy run does that look like saturation and are not warned about:
 * - warmup and the settling after it, when the gradient norm comes down from its initial value — nothing is
 *   counted before the learning rate has stopped rising (read from train/lr) nor before clip_skip of the run;
 * - a gradient norm hovering at the clip (small models at a usual LR sit at ≈ 1.0 with clip 1.0), where the
 *   clip trims a few % off each step — the window's median pre-clip norm must exceed clip_min_ratio × the clip;
 * - a norm that creeps up to a few times the clip as training goes on while the loss keeps falling (the 2000-step
 *   default baseline: median 1.1 at step 200, 2.4 at step 1800, clipped on every step from ≈ 400 on). The clip then
 *   only scales the step down like a lower learning rate would, and the run is healthy: the episode is `info`.
 *   It becomes a warning when, clip_window steps or more after saturation was detected, the loss has improved by
 *   less than clip_min_progress since then — the mark of a learning rate too high for the clip to rescue. Without
 *   train/loss data it is judged on clipping alone (a warning at once).
 */
export class ClipSaturationDetector {
  private readonly window: WindowCount;
  private readonly norms: WindowMedian;
  private readonly steps: Float64Array;
  private n = 0;
  private episode: SaturationEpisode | null = null;
  private lastLr = NaN;
  /** The step the learning rate stopped rising (end of warmup); -1 until then. */
  private warmupEnd = -1;
  private normStep = -1;
  private norm = NaN;
  /** Train loss of the last half clip_window steps, a ring, with its running sum: O(1) per point. */
  private readonly recentLosses: Float64Array;
  private recentSum = 0;
  private lossN = 0;

  constructor(private readonly ctx: DetectorContext) {
    this.window = new WindowCount(ctx.cfg.clip_window);
    this.norms = new WindowMedian(ctx.cfg.clip_window);
    this.steps = new Float64Array(ctx.cfg.clip_window);
    this.recentLosses = new Float64Array(Math.max(1, Math.floor(ctx.cfg.clip_window / 2)));
  }

  observeLoss(step: number, loss: number): void {
    if (!Number.isFinite(loss)) return;
    const i = this.lossN % this.recentLosses.length;
    this.recentSum += loss - this.recentLosses[i];
    this.recentLosses[i] = loss;
    this.lossN++;
  }

  /** Mean loss over the newest half of the window (halves the noise of a quarter); NaN until a window was seen. */
  private recentLoss(): number {
    return this.lossN < this.ctx.cfg.clip_window ? NaN : this.recentSum / this.recentLosses.length;
  }

  private judgeProgress(ep: SaturationEpisode, step: number): void {
    ep.loss = this.recentLoss();
    if (step - ep.detected < this.ctx.cfg.clip_window) return;
    if (!((ep.startLoss - ep.loss) / ep.startLoss >= this.ctx.cfg.clip_min_progress)) ep.stalled = true;
  }

  observeLr(step: number, lr: number): void {
    if (this.warmupEnd < 0 && !Number.isNaN(this.lastLr) && lr <= this.lastLr) this.warmupEnd = step;
    this.lastLr = lr;
  }

  /** The monitor feeds a step's grad norm before its clipped flag (see monitor.ts keyRank). */
  observeNorm(step: number, norm: number): void {
    this.normStep = step;
    this.norm = norm;
  }

  observe(step: number, v: number): void {
    this.count(step, v > 0.5, this.normStep === step ? this.norm : NaN);
  }

  private settled(step: number): boolean {
    // No train/lr at all (an engine that does not log it): only clip_skip applies.
    const warmedUp = Number.isNaN(this.lastLr) || (this.warmupEnd >= 0 && step >= this.warmupEnd);
    return warmedUp && step >= this.ctx.cfg.clip_skip * this.ctx.plannedSteps;
  }

  private count(step: number, clipped: boolean, norm: number): void {
    if (!this.settled(step)) return;
    const cap = this.ctx.cfg.clip_window;
    this.window.push(clipped);
    if (!Number.isNaN(norm)) this.norms.push(norm);
    this.steps[this.n % cap] = step;
    this.n++;
    if (this.window.size < cap) return;
    const cfg = this.ctx.cfg;
    const fraction = this.window.count / cap;
    const medianNorm = this.norms.median();
    const clip = this.ctx.gradClip;
    // Without a clip value or grad norms (NaN median) only the clipped fraction is judged, as DESIGN.md §5 words it.
    const hard = clip === null || clip <= 0 || Number.isNaN(medianNorm) || medianNorm > cfg.clip_min_ratio * clip;
    const ep = this.episode;
    if (fraction > cfg.clip_saturation && hard) {
      if (ep) {
        ep.end = step;
        ep.fraction = fraction;
        ep.medianNorm = medianNorm;
        ep.peakFraction = Math.max(ep.peakFraction, fraction);
        this.judgeProgress(ep, step);
        this.ctx.sink.upsert(this.alert(ep));
      } else {
        const windowStart = this.steps[this.n % cap];
        const loss = this.recentLoss();
        const opened = {
          id: `clip_saturation:${windowStart}`, start: windowStart, end: step, fraction, peakFraction: fraction, medianNorm,
          detected: step, startLoss: loss, loss, stalled: false,
        };
        this.episode = opened;
        this.ctx.sink.upsert(this.alert(opened));
      }
    } else if (ep && (fraction <= 0.8 * cfg.clip_saturation || (clip !== null && clip > 0 && medianNorm <= clip))) {
      // Hysteresis: one episode per stretch, not one per wobble around the limits.
      this.episode = null;
    }
  }

  private alert(ep: SaturationEpisode): Alert & { id: string } {
    const cfg = this.ctx.cfg;
    const clip = this.ctx.gradClip;
    const ratio = clip !== null && clip > 0 ? ` — a median pre-clip norm of ${fmt(ep.medianNorm)}, ${fmt(ep.medianNorm / clip)}× the clip of ${fmt(clip)}` : '';
    const progress = (ep.startLoss - ep.loss) / ep.startLoss;
    const known = Number.isFinite(progress);
    const improving = known && !ep.stalled;
    const lossWords = known && ep.end > ep.detected
      ? ` Since step ${ep.detected} the training loss went from ${fmt(ep.startLoss)} to ${fmt(ep.loss)} (${pct(Math.abs(progress))} ${progress >= 0 ? 'better' : 'worse'}).`
      : '';
    return {
      id: ep.id, kind: 'clip_saturation', severity: improving ? 'info' : 'warning', step: ep.start, stepEnd: ep.end,
      message: `Gradient clipping fired on ${pct(ep.fraction)} of the last ${cfg.clip_window} steps (from step ${ep.start} to ${ep.end}; limit ${pct(cfg.clip_saturation)})${ratio}. The clip, not the gradient, sets the step size.${lossWords}`,
      advice: improving
        ? 'So far the loss keeps falling, so the clip is only scaling the steps down, as a lower learning rate would: fine as it is. Gradient norms often creep up as training goes on; if the loss stalls, lower the learning rate.'
        : 'Learning rate too high or an unstable architecture: lower the learning rate or lengthen warmup; check normalisation and initialisation.',
      evidence: {
        fraction: ev(ep.fraction), peak_fraction: ev(ep.peakFraction), window: cfg.clip_window, limit: cfg.clip_saturation,
        median_grad_norm: ev(ep.medianNorm), grad_clip: clip, min_ratio: cfg.clip_min_ratio,
        loss_at_detection: known ? ev(ep.startLoss) : null, loss_now: known ? ev(ep.loss) : null, loss_progress: known ? ev(progress) : null,
        min_progress: cfg.clip_min_progress,
      },
    };
  }
}
