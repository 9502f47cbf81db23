// Non-finite loss or gradient norm (DESIGN.md §5): an error; the scheduler pauses the run at its last good
// checkpoint. NaN/Inf values on several keys at adjacent steps are one episode.
import type { Alert } from '../../../shared/alerts.ts';
import { metricLabel } from '../keys.ts';
import type { DetectorContext } from './context.ts';

interface NonFiniteEpisode {
  id: string;
  start: number;
  end: number;
  /** key → first non-finite value seen, in a fixed key order for the evidence. */
  values: Map<string, number>;
  count: number;
}

export class NonFiniteDetector {
  private episode: NonFiniteEpisode | null = null;

  constructor(
    private readonly ctx: DetectorContext,
    private readonly keyOrder: readonly string[],
  ) {}

  observe(step: number, key: string, v: number): void {
    let ep = this.episode;
    if (!ep || step > ep.end + 1 || step < ep.start - 1) {
      ep = { id: `non_finite:${step}`, start: step, end: step, values: new Map(), count: 0 };
      this.episode = ep;
    }
    ep.end = Math.max(ep.end, step);
    ep.count++;
    if (!ep.values.has(key)) ep.values.set(key, v);
    this.ctx.sink.upsert(this.alert(ep));
  }

  private alert(ep: NonFiniteEpisode): Alert & { id: string } {
    const keys = this.keyOrder.filter((k) => ep.values.has(k));
    const first = keys[0];
    const also = keys.slice(1).map(metricLabel);
    const label = metricLabel(first);
    const message =
      `${label.charAt(0).toUpperCase() + label.slice(1)} became ${String(ep.values.get(first))} at step ${ep.start}` +
      `${also.length ? ` (${also.join(' and ')} too)` : ''}. Training has diverged.`;
    const evidence: Alert['evidence'] = { first_step: ep.start, last_step: ep.end, points: ep.count };
    for (const k of keys) evidence[k] = String(ep.values.get(k));
    return {
      id: ep.id, kind: 'non_finite', severity: 'error', step: ep.start, stepEnd: ep.end > ep.start ? ep.end : null,
      message,
      advice: 'The run pauses at its last good checkpoint. Lower the learning rate or lengthen warmup, keep gradient ' +
        'clipping on, and look for a corrupt batch (empty or out-of-vocabulary tokens) at this step.',
      evidence,
    };
  }
}
