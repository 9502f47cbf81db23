// Run page panel for generation health over training: the gen/* metrics recorded at each eval when
// eval.generation is on — rates in [0, 1] beside mean next-token entropy — with response-collapse alerts marked.
import { useEffect, useId, useRef } from 'react';
import type { Alert } from '../../../shared/alerts.ts';
import { GenMetricKey } from '../../../shared/generation/diagnosis.ts';
import { ChartPanel, type ChartLine } from './chart-panel.ts';
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

export function hasGenerationMetrics(m: RunMetrics): boolean {
  return [...GEN_RATE_LINES, ENTROPY].some((l) => m.has(l.key));
}

export interface GenerationHealthProps {
  metrics: RunMetrics;
  /** Bumped whenever the run's metrics changed. */
  version: number;
  alerts: Alert[];
  /** alerts.collapse_seq_rep of the run (drawn as a dashed limit). */
  seqRepLimit: number | null;
}

export function GenerationHealth({ metrics, version, alerts, seqRepLimit }: GenerationHealthProps): React.JSX.Element {
  const group = `loupe-gen-${useId()}`;
  const rateEl = useRef<HTMLDivElement>(null);
  const entropyEl = useRef<HTMLDivElement>(null);
  const panels = useRef<ChartPanel[]>([]);
  const theme = useThemeName();

  useEffect(() => {
    const els = [rateEl.current, entropyEl.current].filter((e): e is HTMLDivElement => e !== null);
    const created = els.map((el) => new ChartPanel(el, group));
    panels.current = created;
    let frame = 0;
    const ro = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => created.forEach((c) => c.resize()));
    });
    els.forEach((el) => ro.observe(el));
    return () => {
      ro.disconnect();
      cancelAnimationFrame(frame);
      created.forEach((c) => c.dispose());
      panels.current = [];
    };
  }, [group]);

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
      title: 'Generation health',
      lines: GEN_RATE_LINES.map(line),
      theme: t,
      markers,
      threshold: seqRepLimit === null ? null : { value: seqRepLimit, label: `collapse ${seqRepLimit}`, color: warn },
    });
    entropy?.configure({ title: 'Sample entropy', lines: [line(ENTROPY)], theme: t });
    // Keyed on alertsKey rather than the array's identity, so re-renders with equal alerts cost nothing.
  }, [metrics, alertsKey, seqRepLimit, theme, group]);

  useEffect(() => {
    const e = metrics.extent();
    for (const p of panels.current) {
      if (e) p.setExtent(e[0], e[1]);
      p.redraw();
    }
  }, [metrics, version]);

  return (
    <div className="generation-health" data-testid="generation-health" style={{ marginTop: 8 }}>
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
