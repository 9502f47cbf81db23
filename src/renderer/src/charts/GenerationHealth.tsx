// Run page panels for generation health over training: the gen/* metrics recorded at each eval when
// eval.generation is on, or a fine-tune's sft/* answers to held-out prompts — rates in [0, 1] beside a second
// measure (sample entropy; answer length against the reference) — with response-collapse alerts marked.
import { useEffect, useId, useRef } from 'react';
import type { Alert } from '../../../shared/alerts.ts';
import { GenMetricKey } from '../../../shared/generation/diagnosis.ts';
import type { ChartLine } from './chart-panel.ts';
import { useChartPanels } from './use-chart-panels.ts';
import type { RunMetrics } from './run-metrics.ts';
import { cssVar, readChartTheme, useThemeName } from '../lib/theme.ts';

interface GenLine {
  key: string;
  label: string;
  color: string;
}

/** Rates in [0, 1]; sameness under the key the engine records and the collapse detector reads. */
const GEN_RATE_LINES: readonly GenLine[] = [
  { key: GenMetricKey.seqRep4, label: 'seq-rep-4', color: '#f06a6a' },
  { key: GenMetricKey.loopFraction, label: 'loop fraction', color: '#f0b44c' },
  { key: GenMetricKey.sameness, label: 'cross-prompt sameness', color: '#b38cff' },
  { key: GenMetricKey.distinct2, label: 'distinct-2', color: '#5cc98a' },
  { key: GenMetricKey.keywordScore, label: 'keyword score', color: '#6ea8fe' },
];
const ENTROPY: GenLine = { key: GenMetricKey.entropy, label: 'entropy (nats)', color: '#4dd0e1' };

/** A fine-tune's answers to held-out prompts (the SFT probe): collapse rates and accuracy, and their length. */
const SFT_RATE_LINES: readonly GenLine[] = [
  { key: 'sft/near_identical', label: 'near-identical answers', color: '#b38cff' },
  { key: 'sft/sameness', label: 'answer sameness', color: '#8e6cd1' },
  { key: 'sft/loop_fraction', label: 'loop fraction', color: '#f0b44c' },
  { key: 'sft/seq_rep_4', label: 'seq-rep-4', color: '#f06a6a' },
  { key: 'sft/distinct_2', label: 'distinct-2', color: '#5cc98a' },
  { key: 'sft/keyword_acc', label: 'keyword accuracy', color: '#6ea8fe' },
  { key: 'sft/exact_match', label: 'exact match', color: '#3d7be0' },
];
const SFT_LENGTH: GenLine = { key: 'sft/length_ratio', label: 'answer length / reference', color: '#4dd0e1' };

export type HealthVariant = 'generation' | 'sft';
const variants: Record<HealthVariant, { title: string; rates: readonly GenLine[]; second: GenLine; secondTitle: string; testId: string }> = {
  generation: { title: 'Generation health', rates: GEN_RATE_LINES, second: ENTROPY, secondTitle: 'Sample entropy', testId: 'generation-health' },
  sft: { title: 'Fine-tuning answers (held-out prompts)', rates: SFT_RATE_LINES, second: SFT_LENGTH, secondTitle: 'Answer length', testId: 'sft-health' },
};

export function hasGenerationMetrics(m: RunMetrics, variant: HealthVariant = 'generation'): boolean {
  const v = variants[variant];
  return [...v.rates, v.second].some((l) => m.has(l.key));
}

export interface GenerationHealthProps {
  metrics: RunMetrics;
  /** Bumped whenever the run's metrics changed. */
  version: number;
  alerts: Alert[];
  /** alerts.collapse_seq_rep of the run (drawn as a dashed limit). */
  seqRepLimit: number | null;
  variant?: HealthVariant;
}

export function GenerationHealth({ metrics, version, alerts, seqRepLimit, variant = 'generation' }: GenerationHealthProps): React.JSX.Element {
  const v = variants[variant];
  const group = `loupe-gen-${useId()}`;
  const rateEl = useRef<HTMLDivElement>(null);
  const entropyEl = useRef<HTMLDivElement>(null);
  const theme = useThemeName();

  const panels = useChartPanels(group, [rateEl, entropyEl]);

  const alertsKey = alerts.map((a) => `${a.kind}@${a.step}-${a.stepEnd ?? ''}`).join(',');
  useEffect(() => {
    const t = readChartTheme();
    const warn = cssVar('--warn', '#f0b44c');
    const line = (l: GenLine): ChartLine => ({ id: l.key, name: l.label, series: metrics.get(l.key), color: l.color, style: 'points' });
    const markers = alerts
      .filter((a) => a.kind === 'response_collapse')
      .map((a) => ({ step: a.step, stepEnd: a.stepEnd, color: a.severity === 'info' ? cssVar('--muted', '#8b93a7') : warn, label: a.message }));
    const [rates, entropy] = panels.current;
    const e = metrics.extent();
    for (const p of panels.current) if (e) p.setExtent(e[0], e[1]);
    rates?.configure({
      title: v.title,
      lines: v.rates.map(line),
      theme: t,
      markers,
      threshold: seqRepLimit === null ? null : { value: seqRepLimit, label: `collapse ${seqRepLimit}`, color: warn },
    });
    entropy?.configure({ title: v.secondTitle, lines: [line(v.second)], theme: t });
    // Keyed on alertsKey rather than the array's identity, so re-renders with equal alerts cost nothing.
  }, [metrics, alertsKey, seqRepLimit, theme, group, v]);

  useEffect(() => {
    const e = metrics.extent();
    for (const p of panels.current) {
      if (e) p.setExtent(e[0], e[1]);
      p.redraw();
    }
  }, [metrics, version]);

  return (
    <div className="generation-health" data-testid={v.testId} style={{ marginTop: 8 }}>
      <div className="charts">
        <div className="chart-box" style={{ gridColumn: 'span 2' }}>
          <div className="chart" ref={rateEl} />
        </div>
        <div className="chart-box">
          <div className="chart" ref={entropyEl} />
        </div>
      </div>
    </div>
  );
}
