// What every detector is built with: the run's thresholds, its planned length and where alerts go.
import type { AlertsConfig } from '../../../shared/config.ts';
import type { AlertSink } from '../sink.ts';

export interface DetectorContext {
  cfg: AlertsConfig;
  /** Planned optimizer steps of the run (windows given as a fraction of the run are taken of this). */
  plannedSteps: number;
  sink: AlertSink;
}
