// Advice on a valid config, shown before a run starts (editor, CLI): nothing here blocks a run. Short runs whose
// warmup eats the run or that evaluate too rarely to draw a curve, and a peak LR far outside the recommended range.
import { RECOMMENDED_LR, type RunConfig } from './config.ts';
import { estimateParams, formatParamCount } from './ablation/recipe.ts';
import { formatCompactNumber } from './ablation/naming.ts';
import { evalCount } from './run-length.ts';

export interface ConfigWarning {
  /** Dotted field path the warning is about. */
  path: string;
  message: string;
}

/** Warmup at or above this fraction of the run leaves little of it at the peak LR. */
export const MAX_WARMUP_FRACTION = 0.2;
/** Fewer post-init evals than this draw the val curve as a straight line. */
export const MIN_EVALS = 5;
/** "Far outside": this many times above the range's top or below its bottom. */
export const LR_FAR_FACTOR = 3;

/** The recommended peak-LR range for a model of `params` parameters. */
export function recommendedLr(params: number): readonly [number, number] {
  return params <= RECOMMENDED_LR.smallModelMaxParams ? RECOMMENDED_LR.small : RECOMMENDED_LR.large;
}

export function configWarnings(config: RunConfig): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  const { steps, warmup_steps: warmup, lr } = config.train;
  if (warmup > 0 && warmup >= MAX_WARMUP_FRACTION * steps) {
    out.push({
      path: 'train.warmup_steps',
      message: `warmup is ${warmup} of ${steps} steps (${Math.round((100 * warmup) / steps)}%): the run spends most of its time ramping up the LR. 1–5% is usual; change the run length with its control (or --steps/--scale) to rescale warmup with it`,
    });
  }
  const evals = evalCount(config);
  if (evals < MIN_EVALS) {
    out.push({
      path: 'eval.every',
      message: `only ${evals} eval${evals === 1 ? '' : 's'} after step 0 (every ${config.eval.every} of ${steps} steps): too few points for a val-loss curve; aim for ${MIN_EVALS} or more`,
    });
  }
  const params = estimateParams(config);
  if (params.ok) {
    const [lo, hi] = recommendedLr(params.total);
    const size = formatParamCount(params.total);
    const range = `${formatCompactNumber(lo)}–${formatCompactNumber(hi)}`;
    if (lr > hi * LR_FAR_FACTOR) {
      out.push({ path: 'train.lr', message: `lr ${formatCompactNumber(lr)} is far above the ${range} recommended for a ${size}-parameter model: expect loss spikes, clipping on most steps or divergence` });
    } else if (lr < lo / LR_FAR_FACTOR) {
      out.push({ path: 'train.lr', message: `lr ${formatCompactNumber(lr)} is far below the ${range} recommended for a ${size}-parameter model: expect a slow, barely falling loss` });
    }
  }
  return out;
}
