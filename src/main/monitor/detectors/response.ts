// Response collapse (DESIGN.md §5) from the gen/* metrics recorded at each eval: repetitive text (seq-rep-4),
// samples stuck in loops, or the same output whatever the prompt. Info early in a run (under-trained models
// loop), a warning after collapse_after × planned steps.
import type { Alert } from '../../../shared/alerts.ts';
import { GenKey, SftKey, metricLabel } from '../keys.ts';
import { ev, fmt, pct } from '../sink.ts';
import type { DetectorContext } from './context.ts';

const genOrder = [
  GenKey.seqRep4, GenKey.loopFraction, GenKey.sameness,
  SftKey.nearIdentical, SftKey.loopFraction, SftKey.seqRep4, SftKey.lengthRatio,
] as const;

interface CollapseEpisode {
  id: string;
  start: number;
  end: number;
  /** The gen values at the latest eval that collapsed. */
  values: Map<string, number>;
}

export class ResponseCollapseDetector {
  private evalStep = -1;
  private evalValues = new Map<string, number>();
  private evalCollapsed = false;
  private episode: CollapseEpisode | null = null;

  constructor(private readonly ctx: DetectorContext) {}

  observe(step: number, key: string, v: number): void {
    // An eval's gen points share a step; points of an older eval arriving late have nothing left to change.
    if (step < this.evalStep) return;
    if (step > this.evalStep) {
      if (!this.evalCollapsed) this.episode = null;
      this.evalStep = step;
      this.evalValues = new Map();
      this.evalCollapsed = false;
    }
    this.evalValues.set(key, v);
    if (!this.collapsed(key, v) && !this.evalCollapsed) return;
    this.evalCollapsed = true;
    if (this.episode) this.episode.end = step;
    else this.episode = { id: `response_collapse:${step}`, start: step, end: step, values: new Map() };
    this.episode.values = this.evalValues;
    this.ctx.sink.upsert(this.alert(this.episode));
  }

  private limit(key: string): number {
    const cfg = this.ctx.cfg;
    if (key === GenKey.seqRep4 || key === SftKey.seqRep4) return cfg.collapse_seq_rep;
    if (key === GenKey.loopFraction || key === SftKey.loopFraction) return cfg.collapse_loop_fraction;
    if (key === SftKey.nearIdentical) return cfg.sft_collapse_near_identical;
    if (key === SftKey.lengthRatio) return cfg.sft_collapse_length_ratio;
    return cfg.collapse_sameness;
  }

  /** Answers that shrink collapse downwards; every other measure collapses upwards. */
  private collapsed(key: string, v: number): boolean {
    return key === SftKey.lengthRatio ? v < this.limit(key) : v > this.limit(key);
  }

  private alert(ep: CollapseEpisode): Alert & { id: string } {
    const warning = ep.end >= this.ctx.cfg.collapse_after * this.ctx.plannedSteps;
    const signs: string[] = [];
    const evidence: Alert['evidence'] = { first_step: ep.start, at_step: ep.end };
    for (const key of genOrder) {
      const v = ep.values.get(key);
      if (v === undefined) continue;
      evidence[key.startsWith('gen/') ? key.slice('gen/'.length) : key.replace('/', '_')] = ev(v);
      if (this.collapsed(key, v)) {
        signs.push(key === GenKey.loopFraction
          ? `${pct(v)} of samples end in a repetition loop`
          : `${metricLabel(key)} ${fmt(v)} (limit ${fmt(this.limit(key))})`);
      }
    }
    const range = ep.end > ep.start ? ` (evals from step ${ep.start} to ${ep.end})` : '';
    return {
      id: ep.id, kind: 'response_collapse', severity: warning ? 'warning' : 'info', step: ep.start,
      stepEnd: ep.end > ep.start ? ep.end : null,
      message: `Generations have collapsed at step ${ep.end}${range}: ${signs.join('; ')}.`,
      advice: warning
        ? 'The model repeats itself or answers every prompt alike: check for overfitting (val loss), lower the learning ' +
          'rate, or add data; compare checkpoints side by side in the Playground.'
        : 'Common early in training, before the model has learned much; watch whether it persists past the early evals.',
      evidence,
    };
  }
}
