// The alert monitor (DESIGN.md §5): streaming detectors over a run's metrics, used live by the scheduler and
// again by `loupe alerts --recompute`.
export { createRunMonitor, monitorForRun, recomputeAlerts, monitorOptions, type MonitorFactory, type MonitorOptions, type RunMonitor } from './monitor.ts';
export { formatAlertLine, alertKindLabel } from './format.ts';
export { GenKey } from './keys.ts';
export { nonFiniteFailurePoints } from './failure.ts';
