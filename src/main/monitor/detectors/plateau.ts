// Plateau (DESIGN.md §5): the smoothed training loss improved by less than plateau_rel over a window of
// plateau_window × planned steps; a warning when the flat stretch starts early in the run, info later.
import type { Alert } from '../../../shared/alerts.ts';
import { ev, fmt, pct } from '../sink.ts';
import type { DetectorContext } from './context.ts';

interface PlateauEpisode {
  id: string;
  start: number;
  end: number;
  early: boolean;
}

export class PlateauDetector {
  /** Steps between the two smoothed values compared. */
  private readonly span: number;
  /** Values averaged into each smoothed value. */
  private readonly smooth: number;
  private readonly values: Float64Array;
  private readonly steps: Float64Array;
  private n = 0;
  private recentSum = 0;
  private oldSum = 0;
  private episode: PlateauEpisode | null = null;
  /** The last closed episode: a flat stretch that resumes before it ended is the same plateau. */
  private closed: PlateauEpisode | null = null;

  constructor(private readonly ctx: DetectorContext) {
    const cfg = ctx.cfg;
    this.span = Math.max(cfg.plateau_min_steps, Math.round(cfg.plateau_window * ctx.plannedSteps));
    // Averaging a quarter of the window keeps per-batch noise (a few % of the loss) well under the 1% test.
    this.smooth = Math.max(10, Math.round(this.span / 4));
    const size = this.span + this.smooth;
    this.values = new Float64Array(size);
    this.steps = new Float64Array(size);
  }

  observe(step: number, v: number): void {
    const { span, smooth, values, steps } = this;
    const size = values.length;
    const n = this.n;
    const slot = n % size;
    // Point n enters the recent mean; n−smooth leaves it, n−span enters the old mean and n−span−smooth
    // (the slot being overwritten) leaves it.
    if (n >= smooth) this.recentSum -= values[(n - smooth) % size];
    if (n >= span) this.oldSum += values[(n - span) % size];
    if (n >= size) this.oldSum -= values[slot];
    values[slot] = v;
    steps[slot] = step;
    this.recentSum += v;
    this.n = n + 1;
    if (this.n < size) return;

    const recent = this.recentSum / smooth;
    const old = this.oldSum / smooth;
    const improvement = (old - recent) / Math.abs(old);
    const rel = this.ctx.cfg.plateau_rel;
    const ep = this.episode;
    if (improvement < rel) {
      // The flat stretch runs from the middle of the old segment to now.
      const start = steps[(this.n - span - Math.ceil(smooth / 2)) % size];
      if (ep) {
        ep.end = step;
        this.ctx.sink.upsert(this.alert(ep, old, recent, improvement));
      } else if (this.closed && start <= this.closed.end) {
        const reopened = this.closed;
        reopened.end = step;
        this.episode = reopened;
        this.ctx.sink.upsert(this.alert(reopened, old, recent, improvement));
      } else {
        const opened = { id: `plateau:${start}`, start, end: step, early: start < this.ctx.cfg.plateau_early * this.ctx.plannedSteps };
        this.episode = opened;
        this.ctx.sink.upsert(this.alert(opened, old, recent, improvement));
      }
    } else if (ep && improvement >= 2 * rel) {
      // Closing only once it clearly improves again keeps one episode from flickering into many.
      this.closed = ep;
      this.episode = null;
    }
  }

  private alert(ep: PlateauEpisode, old: number, recent: number, improvement: number): Alert & { id: string } {
    const cfg = this.ctx.cfg;
    const pctOfRun = this.ctx.plannedSteps > 0 ? ` (${pct(ep.start / this.ctx.plannedSteps)} into the run)` : '';
    const message =
      `Training loss has flattened since step ${ep.start}${pctOfRun}: the smoothed loss went from ${fmt(old)} to ` +
      `${fmt(recent)} over the last ${this.span} steps (${improvement >= 0 ? '' : '−'}${pct(Math.abs(improvement))} better, under ${pct(cfg.plateau_rel)}).`;
    const diverged = this.ctx.instability;
    const afterInstability = diverged !== null && diverged.step <= ep.start;
    const advice = afterInstability
      ? `Stalled after the ${diverged.what} at step ${diverged.step}: the learning rate is likely too high — the model ` +
        'overshot and settled into predicting token frequencies only. Lower the learning rate or add warmup.'
      : ep.early
      ? 'Stalled early: the learning rate is likely too low (or warmup too long), or the model is stuck predicting ' +
        'token frequencies only — try a higher learning rate and check the data pipeline.'
      : 'Expected near the end of a run. Mid-run it means progress has stalled at this learning rate: decay the ' +
        'learning rate (cosine/WSD), train longer only if it still moves, or use a larger model.';
    return {
      id: ep.id, kind: 'plateau', severity: ep.early ? 'warning' : 'info', step: ep.start, stepEnd: ep.end, message, advice,
      evidence: {
        after_instability_step: afterInstability ? diverged.step : null,
        smoothed_before: ev(old), smoothed_now: ev(recent), improvement: ev(improvement), threshold: cfg.plateau_rel,
        window_steps: this.span, smoothing_steps: this.smooth, early: ep.early,
      },
    };
  }
}
