// The seam between the scheduler and the alert monitor (src/main/monitor, DESIGN.md §5): the scheduler
// feeds every committed metric batch to a per-run monitor and stores what it raises.
import type { RunConfig } from '../../shared/config.ts';
import type { Alert } from '../../shared/alerts.ts';
import type { MetricPoint } from '../../shared/metrics.ts';

export interface RunMonitor {
  /** New or updated (merged, same id) alerts caused by these points. */
  observe(points: MetricPoint[]): Alert[];
  /** A fresh pass over a whole stored run; must equal what the live pass raised. */
  recompute(points: MetricPoint[]): Alert[];
}

export type MonitorFactory = (alerts: RunConfig['alerts'], opts: { plannedSteps: number; gradClip?: number }) => RunMonitor;
