// The metric keys the detectors read. gen/* come from sampling the diagnostic prompt set at each eval,
// named once in src/shared/generation/diagnosis.ts for the engine, the monitor and the charts.
import { MetricKey } from '../../shared/metrics.ts';
import { GenMetricKey } from '../../shared/generation/diagnosis.ts';

export const GenKey = {
  seqRep4: GenMetricKey.seqRep4,
  loopFraction: GenMetricKey.loopFraction,
  sameness: GenMetricKey.sameness,
} as const;

/** The words a practitioner would use for a metric in a sentence. */
export function metricLabel(key: string): string {
  switch (key) {
    case MetricKey.trainLoss: return 'training loss';
    case MetricKey.trainCe: return 'training cross-entropy';
    case MetricKey.gradNorm: return 'gradient norm';
    case MetricKey.valLoss: return 'validation loss';
    case MetricKey.clipped: return 'clipping';
    case GenKey.seqRep4: return 'seq-rep-4';
    case GenKey.loopFraction: return 'loop fraction';
    case GenKey.sameness: return 'cross-prompt sameness';
    default: return key;
  }
}
