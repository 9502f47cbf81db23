// The engine stops at a non-finite loss or gradient without logging that step (it never applies the update), so
// the scheduler records the failing value as a metric point: the non-finite alert, its chart marker and
// `loupe alerts --recompute` then all rest on stored evidence like every other alert.
import { MetricKey, type MetricPoint } from '../../shared/metrics.ts';

/**
 * The point(s) to store for a worker's non-finite failure at `step`, unless `committed` already holds a
 * non-finite loss or grad norm there (an engine that logs the bad step itself). The engine's one-line message
 * says which value failed ("non-finite gradient norm at step 12 …", else the loss).
 */
export function nonFiniteFailurePoints(step: number, message: string, committed: readonly MetricPoint[]): MetricPoint[] {
  const logged = committed.some((p) => p.step === step && (p.key === MetricKey.trainLoss || p.key === MetricKey.gradNorm) && !Number.isFinite(p.value));
  if (logged) return [];
  const key = /gradient/i.test(message) && !/non-finite loss/i.test(message) ? MetricKey.gradNorm : MetricKey.trainLoss;
  return [{ step, key, value: NaN }];
}
