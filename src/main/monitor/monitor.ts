// One run's alert monitor: routes each metric point to the streaming detectors of DESIGN.md §5 and returns
// the alerts that are new or updated. Alerts have stable ids (`kind:step`), so the store upserts them.
import type { Alert } from '../../shared/alerts.ts';
import { AlertsConfig, type RunConfig } from '../../shared/config.ts';
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
  /** train.grad_clip: clip saturation compares the pre-clip norm with it. Omitted: judged on the clipped fraction only. */
  gradClip?: number;
}

/** The options a run's config implies (the scheduler's live pass and `--recompute` must agree on them). */
export function monitorOptions(config: { train: { steps: number; grad_clip: number } }): MonitorOptions {
  return { plannedSteps: config.train.steps, gradClip: config.train.grad_clip };
}

/**
 * The order a step's points are judged in, whatever order they arrived or were stored in (the store reads them
 * back sorted by key): lr before the clip flag (warmup end), grad norm before the clip flag, train before val, and
 * train/ce before train/loss (so the overfitting detector knows to take ce).
 */
const keyOrder: readonly string[] = [
  MetricKey.trainCe, MetricKey.trainLoss, MetricKey.lr, MetricKey.gradNorm, MetricKey.clipped, MetricKey.valLoss,
  GenKey.seqRep4, GenKey.loopFraction, GenKey.sameness,
];
function keyRank(key: string): number {
  const i = keyOrder.indexOf(key);
  return i < 0 ? keyOrder.length : i;
}
function canonicalOrder(points: readonly MetricPoint[]): MetricPoint[] {
  return points
    .filter((p) => keyRank(p.key) < keyOrder.length)
    .sort((a, b) => a.step - b.step || keyRank(a.key) - keyRank(b.key));
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

/** How the scheduler gets a run's monitor; tests pass their own, null turns detection off. */
export type MonitorFactory = (config: RunConfig) => RunMonitor;

/** The monitor a run's config asks for: its alert thresholds, planned steps and grad clip. */
export const monitorForRun: MonitorFactory = (config) => createRunMonitor(config.alerts, monitorOptions(config));

const alertDefaults = AlertsConfig.parse({});
const nonFiniteKeys: readonly string[] = [MetricKey.trainLoss, MetricKey.gradNorm, MetricKey.valLoss];

export function createRunMonitor(config: AlertsConfig, opts: MonitorOptions): RunMonitor {
  const sink = new AlertSink();
  // Runs stored before a threshold existed lack it: they get its default, as a fresh run would.
  const cfg: AlertsConfig = { ...alertDefaults, ...config };
  const ctx: DetectorContext = { cfg, plannedSteps: Math.max(0, opts.plannedSteps), gradClip: opts.gradClip ?? null, sink, instability: null };
  const lossSpike = new SpikeDetector(ctx, 'loss_spike', MetricKey.trainLoss);
  const gradSpike = new SpikeDetector(ctx, 'grad_spike', MetricKey.gradNorm);
  const plateau = new PlateauDetector(ctx);
  const explosion = new ExplosionDetector(ctx);
  const collapse = new CollapseDetector(ctx);
  const clip = new ClipSaturationDetector(ctx);
  const nonFinite = new NonFiniteDetector(ctx, nonFiniteKeys);
  const overfitting = new OverfittingDetector(ctx);
  const response = new ResponseCollapseDetector(ctx);

  let seenTrainCe = false;

  function observePoint(p: MetricPoint): void {
    const { step, key, value } = p;
    if (!Number.isFinite(value)) {
      if (nonFiniteKeys.includes(key)) nonFinite.observe(step, key, value);
      return;
    }
    switch (key) {
      case MetricKey.trainCe:
        // val/loss is plain cross-entropy, so the gap is judged against train/ce, not the objective.
        seenTrainCe = true;
        overfitting.observeTrain(step, value);
        break;
      case MetricKey.trainLoss:
        lossSpike.observe(step, value);
        plateau.observe(step, value);
        // Runs recorded without train/ce (older ones, imported ones) fall back to train/loss.
        if (!seenTrainCe) overfitting.observeTrain(step, value);
        clip.observeLoss(step, value);
        break;
      case MetricKey.lr:
        clip.observeLr(step, value);
        break;
      case MetricKey.gradNorm:
        clip.observeNorm(step, value);
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
      for (const p of canonicalOrder(points)) observePoint(p);
      return sink.drain();
    },
    alerts: () => sink.all(),
    recompute: (points) => recomputeAlerts(config, opts, points),
  };
}

/** Reruns the detectors over a stored run: one batch, put in the same canonical order the live batches are. */
export function recomputeAlerts(config: AlertsConfig, opts: MonitorOptions, allPoints: readonly MetricPoint[]): Alert[] {
  const monitor = createRunMonitor(config, opts);
  monitor.observe(allPoints);
  return monitor.alerts();
}
