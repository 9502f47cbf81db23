// A run summary brought up to date with the live metric stream: the store's summary refreshes on status
// changes and commits, while the charts' buffers hold every step as it arrives.
import type { RunSummary } from '../../../shared/runs.ts';
import { MetricKey } from '../../../shared/metrics.ts';
import type { RunMetrics } from '../charts/run-metrics.ts';

function last(m: RunMetrics, key: string): { step: number; value: number } | null {
  if (!m.has(key)) return null;
  const b = m.get(key);
  return { step: b.steps[b.length - 1], value: b.values[b.length - 1] };
}

/** The lowest finite value after step 0 (the eval at initialisation is never a "best"), with its step. */
function bestAfterInit(m: RunMetrics, key: string): { step: number; value: number } | null {
  if (!m.has(key)) return null;
  const b = m.get(key);
  let best: { step: number; value: number } | null = null;
  for (let i = 0; i < b.length; i++) {
    if (b.steps[i] > 0 && Number.isFinite(b.values[i]) && (best == null || b.values[i] < best.value)) best = { step: b.steps[i], value: b.values[i] };
  }
  return best;
}

export function withLiveMetrics(run: RunSummary, m: RunMetrics): RunSummary {
  const train = last(m, MetricKey.trainLoss);
  if (!train || train.step < run.steps) return run;
  const val = last(m, MetricKey.valLoss);
  const tps = last(m, MetricKey.tokensPerS);
  const seen = last(m, MetricKey.tokensSeen);
  const best = bestAfterInit(m, MetricKey.valLoss);
  return {
    ...run,
    steps: train.step,
    lastTrainLoss: train.value,
    lastValLoss: val?.value ?? run.lastValLoss,
    lastValStep: val?.step ?? run.lastValStep,
    bestValLoss: best?.value ?? run.bestValLoss,
    bestValStep: best?.step ?? run.bestValStep,
    tokensPerS: tps?.value ?? run.tokensPerS,
    tokensSeen: seen?.value ?? (run.tokensPerUpdate ? train.step * run.tokensPerUpdate : run.tokensSeen),
  };
}
