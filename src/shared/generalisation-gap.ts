// The generalisation gap as a series: val/loss minus the training cross-entropy at the same step. The training side
// is smoothed the way the overfitting alert smooths it, so the chart and the alert read the same number.
import { MetricKey } from './metrics.ts';

/** Key of the derived series (never stored: computed wherever both inputs are). */
export const GAP_KEY = 'derived/gap';
/** The objective's cross-entropy part, recorded apart from regularisers such as the dispersion loss. */
export const TRAIN_CE_KEY = 'train/ce';
/** EMA weight of the newest training loss (≈ the last 20 steps), as the overfitting detector uses. */
export const GAP_TRAIN_EMA_ALPHA = 0.1;

/**
 * The training series the gap subtracts: train/ce when the run recorded it, else train/loss (runs from before the
 * objective recorded its parts, where train/loss was cross-entropy unless a regulariser was on).
 */
export function gapTrainKey(has: (key: string) => boolean): string {
  return has(TRAIN_CE_KEY) ? TRAIN_CE_KEY : MetricKey.trainLoss;
}

interface Points {
  readonly steps: ArrayLike<number>;
  readonly values: ArrayLike<number>;
  readonly length?: number;
}

/**
 * gap(s) = val(s) − EMA(train)(s′), with s′ the last training step at or before s; evals before the first training
 * step (step 0) and non-finite values are skipped. Both inputs ascend by step.
 */
export function gapSeries(train: Points, val: Points, alpha = GAP_TRAIN_EMA_ALPHA): { steps: number[]; values: number[] } {
  const nTrain = train.length ?? train.steps.length;
  const nVal = val.length ?? val.steps.length;
  const steps: number[] = [];
  const values: number[] = [];
  let ema = NaN;
  let i = 0;
  for (let j = 0; j < nVal; j++) {
    const s = val.steps[j]!;
    while (i < nTrain && train.steps[i]! <= s) {
      const v = train.values[i]!;
      if (Number.isFinite(v)) ema = Number.isNaN(ema) ? v : ema + alpha * (v - ema);
      i++;
    }
    const v = val.values[j]!;
    if (Number.isNaN(ema) || !Number.isFinite(v)) continue;
    steps.push(s);
    values.push(v - ema);
  }
  return { steps, values };
}
