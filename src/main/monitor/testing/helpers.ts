// Test helpers for the detectors: a context with default thresholds (overridable) and a deterministic noise source.
import { AlertsConfig } from '../../../shared/config.ts';
import type { Alert } from '../../../shared/alerts.ts';
import { AlertSink } from '../sink.ts';
import type { DetectorContext } from '../detectors/context.ts';
import { makeRandom } from './synthetic.ts';

export function testContext(overrides: Partial<AlertsConfig> = {}, plannedSteps = 2000, gradClip: number | null = 1): DetectorContext {
  return { cfg: AlertsConfig.parse(overrides), plannedSteps, gradClip, sink: new AlertSink(), instability: null };
}

/** The current alerts of a context, by step. */
export function alertsOf(ctx: DetectorContext): Alert[] {
  return ctx.sink.all();
}

/** A seeded Gaussian draw (the synthetic set's mulberry32), so hand-made curves carry realistic noise. */
export function noise(seed: number): () => number {
  return makeRandom(seed).normal;
}
