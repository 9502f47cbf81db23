// What every detector is built with: the run's thresholds, its planned length and where alerts go.
import type { AlertsConfig } from '../../../shared/config.ts';
import type { AlertSink } from '../sink.ts';

export interface DetectorContext {
  cfg: AlertsConfig;
  /** Planned optimizer steps of the run (windows given as a fraction of the run are taken of this). */
  plannedSteps: number;
  /** The run's train.grad_clip (0: clipping off), or null when unknown. */
  gradClip: number | null;
  sink: AlertSink;
  /** The first sign the optimizer overshot (an early loss spike, an explosion): later stalls are read in its light. */
  instability: { step: number; what: string } | null;
}
