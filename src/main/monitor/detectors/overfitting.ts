// Overfitting (DESIGN.md §5): validation loss well above the smoothed training loss, or validation loss
// rising for several evals while training loss keeps falling — time to stop early.
import type { Alert } from '../../../shared/alerts.ts';
import { ev, fmt } from '../sink.ts';
import type { DetectorContext } from './context.ts';

/** Smoothing of the per-batch training loss the val loss is compared with (≈ the last 20 steps). */
const trainEmaAlpha = 0.1;
/** Train steps remembered so a val point can be judged against the train loss at its own step, whatever arrived first. */
const trainHistory = 1024;

interface Eval {
  step: number;
  val: number;
  train: number;
}

interface OverfitEpisode {
  id: string;
  start: number;
  end: number;
}

export class OverfittingDetector {
  private ema = NaN;
  private readonly emaSteps = new Float64Array(trainHistory);
  private readonly emaValues = new Float64Array(trainHistory);
  private trainCount = 0;
  private readonly pending: { step: number; val: number }[] = [];
  private readonly evals: Eval[] = [];
  private best: Eval | null = null;
  private episode: OverfitEpisode | null = null;

  constructor(private readonly ctx: DetectorContext) {}

  observeTrain(step: number, loss: number): void {
    this.ema = Number.isNaN(this.ema) ? loss : this.ema + trainEmaAlpha * (loss - this.ema);
    const slot = this.trainCount % trainHistory;
    this.emaSteps[slot] = step;
    this.emaValues[slot] = this.ema;
    this.trainCount++;
    while (this.pending.length > 0 && this.pending[0].step <= step) {
      const p = this.pending.shift()!;
      this.judge(p.step, p.val);
    }
  }

  observeVal(step: number, val: number): void {
    const latest = this.trainCount > 0 ? this.emaSteps[(this.trainCount - 1) % trainHistory] : -Infinity;
    if (latest >= step && this.pending.length === 0) this.judge(step, val);
    else this.pending.push({ step, val });
  }

  /** The smoothed train loss as of `step` (the last train point at or before it). */
  private trainAt(step: number): number {
    const oldest = Math.max(0, this.trainCount - trainHistory);
    for (let i = this.trainCount - 1; i >= oldest; i--) {
      if (this.emaSteps[i % trainHistory] <= step) return this.emaValues[i % trainHistory];
    }
    return this.emaValues[oldest % trainHistory];
  }

  private judge(step: number, val: number): void {
    const cfg = this.ctx.cfg;
    const now: Eval = { step, val, train: this.trainAt(step) };
    this.evals.push(now);
    if (this.evals.length > cfg.overfit_rising_evals + 1) this.evals.shift();
    const best = this.best;
    if (!best || val < best.val) this.best = now;

    const gap = val - now.train;
    const byGap = gap > cfg.overfit_gap;
    const first = this.evals[0];
    const rising =
      this.evals.length === cfg.overfit_rising_evals + 1 &&
      this.evals.every((e, i) => i === 0 || e.val > this.evals[i - 1].val) &&
      now.train < first.train &&
      best !== null && val - best.val >= cfg.overfit_min_rise;

    const ep = this.episode;
    if (byGap || rising) {
      if (ep) ep.end = step;
      else this.episode = { id: `overfitting:${step}`, start: step, end: step };
      this.ctx.sink.upsert(this.alert(this.episode!, now, first, byGap, rising));
    } else if (ep) {
      const stillAboveBest = this.best !== null && val - this.best.val >= cfg.overfit_min_rise;
      if (ep && gap <= 0.8 * cfg.overfit_gap && !stillAboveBest) this.episode = null;
    }
  }

  private alert(ep: OverfitEpisode, now: Eval, first: Eval, byGap: boolean, rising: boolean): Alert & { id: string } {
    const cfg = this.ctx.cfg;
    const best = this.best!;
    const gap = now.val - now.train;
    const parts: string[] = [];
    if (byGap) {
      parts.push(`Validation loss (${fmt(now.val)}) is ${fmt(gap)} nats above the training loss (${fmt(now.train)}) at step ${now.step}: the model fits its training data much better than unseen text.`);
    }
    if (rising) {
      parts.push(`Validation loss has risen for ${cfg.overfit_rising_evals} evals in a row (${fmt(first.val)} at step ${first.step} → ${fmt(now.val)} at step ${now.step}) while training loss kept falling (${fmt(first.train)} → ${fmt(now.train)}).`);
    }
    return {
      id: ep.id, kind: 'overfitting', severity: 'warning', step: ep.start, stepEnd: ep.end > ep.start ? ep.end : null,
      message: parts.join(' '),
      advice: `Overfitting: stop early — the best validation loss was ${fmt(best.val)} at step ${best.step}; use the checkpoint ` +
        'nearest it — or add training data, dropout or weight decay.',
      evidence: {
        val_loss: ev(now.val), train_loss: ev(now.train), gap: ev(gap), gap_limit: cfg.overfit_gap,
        best_val: ev(best.val), best_val_step: best.step, rising_evals: rising ? cfg.overfit_rising_evals : 0,
        trigger: byGap && rising ? 'gap+rising' : byGap ? 'gap' : 'rising', at_step: now.step,
      },
    };
  }
}
