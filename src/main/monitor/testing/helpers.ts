// Test helpers for the detectors: a context with default thresholds (overridable) and a deterministic noise source.
import { AlertsConfig } from '../../../shared/config.ts';
import type { Alert } from '../../../shared/alerts.ts';
import { AlertSink } from '../sink.ts';
import type { DetectorContext } from '../detectors/context.ts';

export function testContext(overrides: Partial<AlertsConfig> = {}, plannedSteps = 2000, gradClip: number | null = 1): DetectorContext {
  return { cfg: AlertsConfig.parse(overrides), plannedSteps, gradClip, sink: new AlertSink(), instability: null };
}

/** The current alerts of a context, by step. */
export function alertsOf(ctx: DetectorContext): Alert[] {
  return ctx.sink.all();
}

/** A small seeded generator (mulberry32) with a Gaussian draw, so hand-made curves carry realistic noise. */
export function noise(seed: number): () => number {
  let s = seed >>> 0;
  const u = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(Math.max(u(), 1e-12))) * Math.cos(2 * Math.PI * u());
}
