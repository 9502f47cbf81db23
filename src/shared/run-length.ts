// Run length as one knob: changing train.steps rescales warmup (keeping its fraction), eval and checkpoint cadence
// together (the LR schedule follows train.steps by construction), so a short run keeps the recipe's shape. The editor,
// Run baseline, sweeps over train.steps and `--steps`/`--scale` in the CLI all go through here, and the config diff
// folds the rescaled fields into the one train.steps change.
import type { RunConfig } from './config.ts';

/** Fields that follow train.steps, with the smallest value each may take. */
export const RUN_LENGTH_FIELDS: Readonly<Record<string, number>> = {
  'train.warmup_steps': 0,
  'eval.every': 1,
  'checkpoint.every': 1,
};

/** A step count rescaled from a run of `fromSteps` to one of `toSteps`, rounded, at least `min`, at most `toSteps`. */
export function rescaleCount(value: number, fromSteps: number, toSteps: number, min: number): number {
  if (value === 0 && min === 0) return 0;
  return Math.min(toSteps, Math.max(min, Math.round((value * toSteps) / fromSteps)));
}

/** The steps a scale factor gives (at least 1). */
export function scaledSteps(steps: number, scale: number): number {
  return Math.max(1, Math.round(steps * scale));
}

/** The config with `steps` optimizer updates and its warmup, eval and checkpoint cadence rescaled to match. */
export function withRunLength(config: RunConfig, steps: number): RunConfig {
  const from = config.train.steps;
  const n = (value: number, path: string): number => rescaleCount(value, from, steps, RUN_LENGTH_FIELDS[path]);
  return {
    ...config,
    train: { ...config.train, steps, warmup_steps: n(config.train.warmup_steps, 'train.warmup_steps') },
    eval: { ...config.eval, every: n(config.eval.every, 'eval.every') },
    checkpoint: { ...config.checkpoint, every: n(config.checkpoint.every, 'checkpoint.every') },
  };
}

/** Whether `to` is what rescaling `from` with train.steps going `fromSteps` → `toSteps` gives for `path`. */
export function followsRunLength(path: string, from: unknown, to: unknown, fromSteps: number, toSteps: number): boolean {
  const min = RUN_LENGTH_FIELDS[path];
  if (min === undefined || typeof from !== 'number' || typeof to !== 'number') return false;
  return rescaleCount(from, fromSteps, toSteps, min) === to;
}

/** Validation evals a run makes after initialisation: every `eval.every` steps, and at the last step. */
export function evalCount(config: Pick<RunConfig, 'train' | 'eval'>): number {
  const { steps } = config.train;
  const every = config.eval.every;
  return Math.floor(steps / every) + (steps % every === 0 ? 0 : 1);
}
