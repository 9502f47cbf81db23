// Clip saturation (DESIGN.md §5): gradient clipping fired on more than clip_saturation of the last clip_window
// steps, so the optimizer is taking clipped steps most of the time.
import type { Alert } from '../../../shared/alerts.ts';
import { WindowCount } from '../window.ts';
import { ev, pct } from '../sink.ts';
import type { DetectorContext } from './context.ts';

interface SaturationEpisode {
  id: string;
  start: number;
  end: number;
  fraction: number;
  peakFraction: number;
}

export class ClipSaturationDetector {
  private readonly window: WindowCount;
  private readonly steps: Float64Array;
  private n = 0;
  private episode: SaturationEpisode | null = null;

  constructor(private readonly ctx: DetectorContext) {
    this.window = new WindowCount(ctx.cfg.clip_window);
    this.steps = new Float64Array(ctx.cfg.clip_window);
  }

  observe(step: number, v: number): void {
    const cap = this.ctx.cfg.clip_window;
    // Gradient norms start high and clipping while they settle is normal, not a sign of trouble.
    if (step < this.ctx.cfg.clip_skip * this.ctx.plannedSteps) return;
    this.window.push(v > 0.5);
    this.steps[this.n % cap] = step;
    this.n++;
    if (this.window.size < cap) return;
    const fraction = this.window.count / cap;
    const limit = this.ctx.cfg.clip_saturation;
    const ep = this.episode;
    if (fraction > limit) {
      if (ep) {
        ep.end = step;
        ep.fraction = fraction;
        ep.peakFraction = Math.max(ep.peakFraction, fraction);
        this.ctx.sink.upsert(this.alert(ep));
      } else {
        const windowStart = this.steps[this.n % cap];
        const opened = { id: `clip_saturation:${windowStart}`, start: windowStart, end: step, fraction, peakFraction: fraction };
        this.episode = opened;
        this.ctx.sink.upsert(this.alert(opened));
      }
    } else if (ep && fraction <= 0.8 * limit) {
      // Hysteresis: one episode per stretch, not one per wobble around the limit.
      this.episode = null;
    }
  }

  private alert(ep: SaturationEpisode): Alert & { id: string } {
    const cfg = this.ctx.cfg;
    return {
      id: ep.id, kind: 'clip_saturation', severity: 'warning', step: ep.start, stepEnd: ep.end,
      message: `Gradient clipping fired on ${pct(ep.fraction)} of the last ${cfg.clip_window} steps (from step ${ep.start} to ${ep.end}; limit ${pct(cfg.clip_saturation)}).`,
      advice: 'Learning rate too high or an unstable architecture: lower the learning rate or lengthen warmup; check normalisation and initialisation.',
      evidence: { fraction: ev(ep.fraction), peak_fraction: ev(ep.peakFraction), window: cfg.clip_window, limit: cfg.clip_saturation },
    };
  }
}
