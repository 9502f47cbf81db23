// Learning-rate schedules: linear warmup, then cosine / linear / constant / WSD decay to min_lr.
// `step` counts optimizer updates from 0; the value is the lr used for that update.
import type { TrainConfig } from '../../../shared/config.ts';

export type ScheduleConfig = Pick<TrainConfig, 'lr' | 'min_lr' | 'warmup_steps' | 'steps' | 'schedule' | 'wsd_decay_fraction'>;

export function learningRate(step: number, c: ScheduleConfig): number {
  if (step < c.warmup_steps) return (c.lr * (step + 1)) / c.warmup_steps;
  const decaySteps = Math.max(1, c.steps - c.warmup_steps);
  const progress = Math.min(1, (step - c.warmup_steps) / decaySteps);
  switch (c.schedule) {
    case 'constant':
      return c.lr;
    case 'linear':
      return c.lr + (c.min_lr - c.lr) * progress;
    case 'cosine':
      return c.min_lr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (c.lr - c.min_lr);
    case 'wsd': {
      // Warmup-stable-decay: hold the peak, then decay linearly over the last fraction of all steps.
      const decayStart = Math.max(c.warmup_steps, Math.round(c.steps * (1 - c.wsd_decay_fraction)));
      if (step < decayStart) return c.lr;
      const p = Math.min(1, (step - decayStart) / Math.max(1, c.steps - decayStart));
      return c.lr + (c.min_lr - c.lr) * p;
    }
  }
}
