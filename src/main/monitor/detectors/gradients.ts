// Gradient explosion (grad norm > factor × its running median) and gradient collapse (grad norm under
// factor × its early median for many steps in a row), DESIGN.md §5.
import type { Alert } from '../../../shared/alerts.ts';
import { WindowMedian, medianOf } from '../window.ts';
import { ev, fmt } from '../sink.ts';
import type { DetectorContext } from './context.ts';

/** Exceedances this close together belong to one explosion episode. */
const explosionMergeGap = 20;

interface ExplosionEpisode {
  id: string;
  start: number;
  last: number;
  peak: number;
  peakStep: number;
  median: number;
  count: number;
}

export class ExplosionDetector {
  private readonly median: WindowMedian;
  private episode: ExplosionEpisode | null = null;

  constructor(private readonly ctx: DetectorContext) {
    this.median = new WindowMedian(ctx.cfg.explosion_window);
  }

  observe(step: number, v: number): void {
    const cfg = this.ctx.cfg;
    if (this.median.size < Math.min(cfg.spike_min_history, cfg.explosion_window)) {
      this.median.push(v);
      return;
    }
    const ep = this.episode;
    // While an episode is open its pre-explosion median stays the yardstick, so a new, higher level keeps counting.
    const median = ep ? ep.median : this.median.median();
    if (v > cfg.explosion_factor * median) {
      if (ep && step - ep.last <= explosionMergeGap) {
        ep.last = step;
        ep.count++;
        if (v > ep.peak) {
          ep.peak = v;
          ep.peakStep = step;
        }
        this.ctx.sink.upsert(this.alert(ep));
      } else {
        const opened = { id: `grad_explosion:${step}`, start: step, last: step, peak: v, peakStep: step, median: this.median.median(), count: 1 };
        this.episode = opened;
        this.ctx.instability ??= { step, what: 'gradient explosion' };
        this.ctx.sink.upsert(this.alert(opened));
      }
      return;
    }
    if (ep && step - ep.last > explosionMergeGap) this.episode = null;
    this.median.push(v);
  }

  private alert(ep: ExplosionEpisode): Alert & { id: string } {
    const ratio = ep.peak / ep.median;
    const times = ep.count > 1 ? ` (${ep.count} steps above ${fmt(this.ctx.cfg.explosion_factor)}× through step ${ep.last})` : '';
    return {
      id: ep.id, kind: 'grad_explosion', severity: 'warning', step: ep.start, stepEnd: ep.last > ep.start ? ep.last : null,
      message: `Gradient norm exploded to ${fmt(ep.peak)} at step ${ep.peakStep}, ${fmt(ratio)}× its running median of ${fmt(ep.median)}${times}.`,
      advice: 'Learning rate likely too high: lower it or lengthen warmup, and keep gradient clipping on (grad_clip 1.0).',
      evidence: {
        peak: ev(ep.peak), peak_step: ep.peakStep, median: ev(ep.median), ratio: ev(ratio),
        factor: this.ctx.cfg.explosion_factor, steps_above: ep.count,
      },
    };
  }
}

interface CollapseEpisode {
  id: string;
  start: number;
  end: number;
  last: number;
}

export class CollapseDetector {
  private readonly early: number[] = [];
  private earlyMedian = NaN;
  private runStart = -1;
  private runLength = 0;
  private episode: CollapseEpisode | null = null;

  constructor(private readonly ctx: DetectorContext) {}

  observe(step: number, v: number): void {
    const cfg = this.ctx.cfg;
    if (Number.isNaN(this.earlyMedian)) {
      this.early.push(v);
      if (this.early.length >= cfg.collapse_early_steps) this.earlyMedian = medianOf(this.early);
      return;
    }
    if (v < cfg.collapse_factor * this.earlyMedian) {
      if (this.runLength === 0) this.runStart = step;
      this.runLength++;
      if (this.runLength < cfg.collapse_steps) return;
      if (this.episode) this.episode.end = step;
      else this.episode = { id: `grad_collapse:${this.runStart}`, start: this.runStart, end: step, last: v };
      this.episode.last = v;
      this.ctx.sink.upsert(this.alert(this.episode));
      return;
    }
    this.runLength = 0;
    this.episode = null;
  }

  private alert(ep: CollapseEpisode): Alert & { id: string } {
    const cfg = this.ctx.cfg;
    return {
      id: ep.id, kind: 'grad_collapse', severity: 'warning', step: ep.start, stepEnd: ep.end,
      message:
        `Gradient norm has collapsed: ${fmt(ep.last)} at step ${ep.end}, under ${fmt(cfg.collapse_factor)}× its early median of ` +
        `${fmt(this.earlyMedian)} for ${ep.end - ep.start + 1} steps since step ${ep.start}. The model has stopped learning.`,
      advice: 'Look for dead units or saturated activations, a learning rate decayed to ~0, a loss that no longer depends on ' +
        'the weights (masked or constant targets), or weight decay far too strong.',
      evidence: { value: ev(ep.last), early_median: ev(this.earlyMedian), factor: cfg.collapse_factor, steps: ep.end - ep.start + 1 },
    };
  }
}
