// Spikes in the loss or the gradient norm (DESIGN.md §5, after OLMo-core's stability monitor): a value above
// mean + kσ of the previous window, later classified as recovered, not recovering, or part of a recurring pattern.
import type { Alert, AlertKind } from '../../../shared/alerts.ts';
import { WindowStats } from '../window.ts';
import { ev, fmt, pct } from '../sink.ts';
import { metricLabel } from '../keys.ts';
import type { DetectorContext } from './context.ts';

interface SpikeEpisode {
  id: string;
  start: number;
  value: number;
  peak: number;
  peakStep: number;
  mean: number;
  std: number;
  threshold: number;
  /** The pre-spike mean + 2σ: back under it counts as recovered. */
  recoverBelow: number;
  history: number;
  /** Raised in the first steps, against the running minimum (no σ to judge by yet). */
  early: boolean;
}

interface RecurringPattern {
  id: string;
  period: number;
  steps: number[];
}

/** Early overshoots this close together are one episode. */
const earlyMergeGap = 10;
/** An early jump must be this many times the largest rise seen before it (see earlySpike). */
const earlyNoiseFactor = 3;

/** Spike starts kept to look for a recurring pattern among. */
const recentSpikesKept = 8;

export class SpikeDetector {
  private readonly window: WindowStats;
  private episode: SpikeEpisode | null = null;
  private readonly recent: number[] = [];
  private pattern: RecurringPattern | null = null;
  private min = Infinity;
  private seen = 0;
  private prev = NaN;
  /** The largest relative step-to-step rise so far: the early curve's own noise. */
  private maxRise = 0;
  /** The open early episode: overshoots a few steps apart are one episode, its peak the highest. */
  private earlyEp: (SpikeEpisode & { last: number }) | null = null;

  constructor(
    private readonly ctx: DetectorContext,
    private readonly kind: Extract<AlertKind, 'loss_spike' | 'grad_spike'>,
    private readonly key: string,
  ) {
    this.window = new WindowStats(ctx.cfg.spike_window);
  }

  observe(step: number, v: number): void {
    const cfg = this.ctx.cfg;
    const ep = this.episode;
    if (ep) {
      if (v > ep.peak) {
        ep.peak = v;
        ep.peakStep = step;
      }
      if (v <= ep.recoverBelow) {
        this.episode = null;
        this.ctx.sink.upsert(this.alert(ep, 'recovered', step));
        this.window.push(v);
      } else if (step - ep.start >= cfg.spike_recovery_steps) {
        this.episode = null;
        this.ctx.sink.upsert(this.alert(ep, 'not_recovering', step));
        // The curve now lives at a new level; judging it against the old one would flag every step.
        this.window.clear();
        this.window.push(v);
      }
      return;
    }
    this.seen++;
    if (this.earlySpike(step, v)) return;
    if (this.window.size >= Math.min(cfg.spike_min_history, cfg.spike_window)) {
      const mean = this.window.mean();
      const std = this.window.std();
      const threshold = mean + Math.max(cfg.spike_sigma * std, cfg.spike_min_rel * Math.abs(mean));
      if (v > threshold) {
        const opened: SpikeEpisode = {
          id: `${this.kind}:${step}`, start: step, value: v, peak: v, peakStep: step, mean, std, threshold,
          recoverBelow: mean + 2 * std, history: this.window.size, early: false,
        };
        this.episode = opened;
        this.ctx.sink.upsert(this.alert(opened, 'pending', null));
        this.noteSpike(step);
        return;
      }
    }
    this.window.push(v);
  }

  /**
   * Early training loss only falls: before there is history for mean + kσ, a loss more than spike_early_rel above
   * its lowest value so far means the optimizer overshot (an LR far too high with no warmup does this in its
   * first steps, then the model often collapses to predicting token frequencies). A warning at once.
   * Tiny batches make the per-step loss noisy (±10–20% at 64 tokens per update): a jump must also be
   * earlyNoiseFactor × the largest step-to-step rise seen so far, so noise that was already there is not news.
   */
  private earlySpike(step: number, v: number): boolean {
    const cfg = this.ctx.cfg;
    // Only the run's first steps: a window cleared after a level shift is not the start of training.
    const judged = this.kind === 'loss_spike' && cfg.spike_early_rel > 0 && this.seen <= Math.min(cfg.spike_min_history, cfg.spike_window);
    const min = this.min;
    const rise = Number.isFinite(this.prev) && this.prev > 0 ? v / this.prev - 1 : 0;
    const maxRise = this.maxRise;
    this.min = Math.min(this.min, v);
    this.prev = v;
    this.maxRise = Math.max(this.maxRise, rise);
    if (!judged || !Number.isFinite(min) || this.seen < 3 || v <= min * (1 + cfg.spike_early_rel)) return false;
    const open = this.earlyEp;
    const merging = open !== null && step - open.last <= earlyMergeGap;
    if (!merging && rise <= earlyNoiseFactor * maxRise) return false;
    if (open && merging) {
      open.last = step;
      if (v > open.peak) {
        open.peak = v;
        open.peakStep = step;
      }
      this.ctx.sink.upsert(this.alert(open, 'early', step));
      return true;
    }
    const ep = {
      id: `${this.kind}:${step}`, start: step, value: v, peak: v, peakStep: step, mean: min, std: 0,
      threshold: min * (1 + cfg.spike_early_rel), recoverBelow: min, history: this.seen - 1, early: true, last: step,
    };
    this.earlyEp = ep;
    this.ctx.instability ??= { step, what: 'loss jump' };
    this.ctx.sink.upsert(this.alert(ep, 'early', null));
    this.noteSpike(step);
    // The spike is not history to judge later values by.
    return true;
  }

  private alert(ep: SpikeEpisode, classification: 'pending' | 'recovered' | 'not_recovering' | 'early', at: number | null): Alert & { id: string } {
    const what = metricLabel(this.key);
    if (classification === 'early') {
      return {
        id: ep.id, kind: this.kind, severity: 'warning', step: ep.start, stepEnd: at !== null && at > ep.start ? at : null,
        message: `${capitalize(what)} jumped to ${fmt(ep.value)} at step ${ep.start}, ${pct(ep.value / ep.mean - 1)} above its lowest value so far (${fmt(ep.mean)}), in the first steps of the run when it should only fall` +
          `${at !== null && at > ep.start ? ` (peak ${fmt(ep.peak)} at step ${ep.peakStep}; above the limit until step ${at})` : ''}.`,
        advice: 'Learning rate likely too high for the start of training: lower it or add warmup (1–5% of the steps). Watch whether the loss then stalls near the unigram level (≈ 3.1–3.3 nats on English bytes).',
        evidence: {
          metric: this.key, value: ev(ep.value), running_min: ev(ep.mean), rise: ev(ep.value / ep.mean - 1),
          limit: this.ctx.cfg.spike_early_rel, steps_seen: ep.history, peak: ev(ep.peak), peak_step: ep.peakStep, classification: 'early',
        },
      };
    }
    const sigmas = ep.std > 0 ? (ep.value - ep.mean) / ep.std : Infinity;
    let message =
      `${capitalize(what)} spiked to ${fmt(ep.value)} at step ${ep.start}, ` +
      `${Number.isFinite(sigmas) ? `${fmt(sigmas)}σ` : 'far'} above its mean of ${fmt(ep.mean)} over the previous ${ep.history} steps.`;
    let advice: string;
    let severity: Alert['severity'] = 'info';
    if (classification === 'pending') {
      advice = 'Watching whether it recovers; an isolated spike that comes back down needs no action.';
    } else if (classification === 'recovered') {
      message += ` It recovered by step ${at} (${at! - ep.start} steps).`;
      advice = this.kind === 'grad_spike'
        ? 'An isolated large gradient: gradient clipping absorbs these. No action unless they recur or grow.'
        : 'Isolated spikes that recover are common with small batches. No action unless they recur or grow.';
    } else {
      severity = 'warning';
      message += ` ${this.ctx.cfg.spike_recovery_steps} steps later it was still above ${fmt(ep.recoverBelow)} (pre-spike mean + 2σ).`;
      advice = 'Learning rate likely too high: lower it or lengthen warmup (and keep gradient clipping on).';
    }
    return {
      id: ep.id, kind: this.kind, severity, step: ep.start, stepEnd: at, message, advice,
      evidence: {
        metric: this.key, value: ev(ep.value), mean: ev(ep.mean), std: ev(ep.std),
        sigma: Number.isFinite(sigmas) ? ev(sigmas) : null, threshold: ev(ep.threshold),
        window: ep.history, peak: ev(ep.peak), peak_step: ep.peakStep,
        classification, resolved_step: at,
      },
    };
  }

  /** Three or more spikes at a near-constant interval point at the data (a bad shard, the epoch boundary). */
  private noteSpike(step: number): void {
    const cfg = this.ctx.cfg;
    const near = (a: number, b: number): boolean => Math.abs(a - b) <= Math.max(2, cfg.spike_recurring_tolerance * Math.max(a, b));
    const p = this.pattern;
    if (p) {
      const last = p.steps[p.steps.length - 1];
      if (near(step - last, p.period)) {
        p.steps.push(step);
        this.ctx.sink.upsert(this.recurringAlert(p));
        return;
      }
      if (step - last > 2.5 * p.period) this.pattern = null;
    }
    this.recent.push(step);
    if (this.recent.length > recentSpikesKept) this.recent.shift();
    if (this.pattern) return;
    // Look for a chain ending at this spike with a constant stride; spikes between the chain's links are allowed.
    for (let j = this.recent.length - 2; j >= 0; j--) {
      const period = step - this.recent[j];
      const chain = [step, this.recent[j]];
      let last = this.recent[j];
      for (let i = j - 1; i >= 0; i--) {
        if (near(last - this.recent[i], period)) {
          chain.push(this.recent[i]);
          last = this.recent[i];
        }
      }
      if (chain.length >= cfg.spike_recurring_count) {
        chain.reverse();
        const found: RecurringPattern = { id: `${this.kind}:recurring:${chain[0]}`, period: (step - chain[0]) / (chain.length - 1), steps: chain };
        this.pattern = found;
        this.ctx.sink.upsert(this.recurringAlert(found));
        return;
      }
    }
  }

  private recurringAlert(p: RecurringPattern): Alert & { id: string } {
    const first = p.steps[0];
    const last = p.steps[p.steps.length - 1];
    const period = Math.round((last - first) / (p.steps.length - 1));
    return {
      id: p.id, kind: this.kind, severity: 'warning', step: first, stepEnd: last,
      message: `${capitalize(metricLabel(this.key))} spiked ${p.steps.length} times at a near-constant interval of about ${period} steps (steps ${p.steps.join(', ')}).`,
      advice: 'A systematic data problem is likely: look for a bad or repeated batch at that position of the data order (e.g. the epoch boundary) and check shuffling.',
      evidence: { metric: this.key, classification: 'recurring', count: p.steps.length, period, steps: p.steps.join(',') },
    };
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
