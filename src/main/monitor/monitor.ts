// One run's alert monitor: routes each metric point to the streaming detectors of DESIGN.md §5 and returns
// the alerts that are new or updated. Alerts have stable ids (`kind:step`), so the store upserts them.
import type { Alert } from '../../shared/alerts.ts';
import type { AlertsConfig } from '../../shared/config.ts';
import { MetricKey, type MetricPoint } from '../../shared/metrics.ts';
import { AlertSink } from './sink.ts';
import { GenKey } from './keys.ts';
import type { DetectorContext } from './detectors/context.ts';
import { SpikeDetector } from './detectors/spike.ts';
import { PlateauDetector } from './detectors/plateau.ts';
import { CollapseDetector, ExplosionDetector } from './detectors/gradients.ts';
import { ClipSaturationDetector } from './detectors/clip.ts';
import { NonFiniteDetector } from './detectors/non-finite.ts';
import { OverfittingDetector } from './detectors/overfitting.ts';
import { ResponseCollapseDetector } from './detectors/response.ts';

export interface MonitorOptions {
  /** Planned optimizer steps (train.steps): plateau windows and "early in the run" are fractions of it. */
  plannedSteps: number;
}

export interface RunMonitor {
  /**
   * Feeds a batch of points (keys interleaved, each key in step order, batches in step order) and returns the
   * alerts it created or changed, latest version of each. Upsert them by `id`: a spike first raised as info
   * is updated when classified, a plateau's stepEnd grows while it lasts.
   */
  observe(points: readonly MetricPoint[]): Alert[];
  /** Every alert raised so far, latest versions, by step. */
  alerts(): Alert[];
  /** A fresh pass over a whole stored run with this monitor's settings (this monitor's state is untouched). */
  recompute(points: readonly MetricPoint[]): Alert[];
}

const nonFiniteKeys: readonly string[] = [MetricKey.trainLoss, MetricKey.gradNorm, MetricKey.valLoss];

export function createRunMonitor(config: AlertsConfig, opts: MonitorOptions): RunMonitor {
  const sink = new AlertSink();
  const ctx: DetectorContext = { cfg: config, plannedSteps: Math.max(0, opts.plannedSteps), sink };
  const lossSpike = new SpikeDetector(ctx, 'loss_spike', MetricKey.trainLoss);
  const gradSpike = new SpikeDetector(ctx, 'grad_spike', MetricKey.gradNorm);
  const plateau = new PlateauDetector(ctx);
  const explosion = new ExplosionDetector(ctx);
  const collapse = new CollapseDetector(ctx);
  const clip = new ClipSaturationDetector(ctx);
  const nonFinite = new NonFiniteDetector(ctx, nonFiniteKeys);
  const overfitting = new OverfittingDetector(ctx);
  const response = new ResponseCollapseDetector(ctx);

  function observePoint(p: MetricPoint): void {
    const { step, key, value } = p;
    if (!Number.isFinite(value)) {
      if (nonFiniteKeys.includes(key)) nonFinite.observe(step, key, value);
      return;
    }
    switch (key) {
      case MetricKey.trainLoss:
        lossSpike.observe(step, value);
        plateau.observe(step, value);
        overfitting.observeTrain(step, value);
        break;
      case MetricKey.gradNorm:
        gradSpike.observe(step, value);
        explosion.observe(step, value);
        collapse.observe(step, value);
        break;
      case MetricKey.clipped:
        clip.observe(step, value);
        break;
      case MetricKey.valLoss:
        overfitting.observeVal(step, value);
        break;
      case GenKey.seqRep4:
      case GenKey.loopFraction:
      case GenKey.sameness:
        response.observe(step, key, value);
        break;
    }
  }

  return {
    observe(points) {
      for (const p of points) observePoint(p);
      return sink.drain();
    },
    alerts: () => sink.all(),
    recompute: (points) => recomputeAlerts(config, opts, points),
  };
}

/**
 * Reruns the detectors over a stored run. Points are put in step order first (stable, so same-step points keep
 * their stored order): the live pass sees them that way, and detectors that read two keys do not depend on which
 * of a step's keys comes first.
 */
export function recomputeAlerts(config: AlertsConfig, opts: MonitorOptions, allPoints: readonly MetricPoint[]): Alert[] {
  const monitor = createRunMonitor(config, opts);
  const ordered = [...allPoints].sort((a, b) => a.step - b.step);
  monitor.observe(ordered);
  return monitor.alerts();
}
