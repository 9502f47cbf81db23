// Run page panels for a mixture-of-experts model: each expert's share of the routed tokens at every eval (mean over
// blocks, against the balanced share 1/experts) and the load-balancing loss per step (1 when balanced).
import { useEffect, useId, useRef } from 'react';
import { expertLoadKey } from '../../../shared/metrics.ts';
import type { ChartLine } from './chart-panel.ts';
import { useChartPanels } from './use-chart-panels.ts';
import type { RunMetrics } from './run-metrics.ts';
import { cssVar, readChartTheme, useThemeName } from '../lib/theme.ts';

const COLORS = ['#6ea8fe', '#f06a6a', '#5cc98a', '#f0b44c', '#b38cff', '#4dd0e1', '#ff8fc7', '#c0ca33'];
const BALANCE_KEY = 'train/moe_balance';

/** How many experts the run recorded a load for (0: not a mixture-of-experts run). */
export function expertCount(m: RunMetrics): number {
  let n = 0;
  while (m.has(expertLoadKey(n))) n++;
  return n;
}

export function ExpertLoad({ metrics, version }: { metrics: RunMetrics; version: number }): React.JSX.Element {
  const group = `loupe-moe-${useId()}`;
  const loadEl = useRef<HTMLDivElement>(null);
  const balanceEl = useRef<HTMLDivElement>(null);
  const theme = useThemeName();
  const experts = expertCount(metrics);

  const panels = useChartPanels(group, [loadEl, balanceEl]);

  useEffect(() => {
    const t = readChartTheme();
    const muted = cssVar('--muted', '#8b93a7');
    const lines: ChartLine[] = Array.from({ length: experts }, (_, e) => ({
      id: expertLoadKey(e),
      name: `expert ${e}`,
      series: metrics.get(expertLoadKey(e)),
      color: COLORS[e % COLORS.length]!,
      style: 'points',
    }));
    const [load, balance] = panels.current;
    const ext = metrics.extent();
    for (const p of panels.current) if (ext) p.setExtent(ext[0], ext[1]);
    load?.configure({
      title: 'Expert load (share of routed tokens, mean over blocks)',
      lines,
      theme: t,
      threshold: experts > 0 ? { value: 1 / experts, label: 'balanced', color: muted } : null,
    });
    balance?.configure({
      title: 'Load-balancing loss (1 = balanced)',
      lines: [{ id: BALANCE_KEY, name: 'moe_balance', series: metrics.get(BALANCE_KEY), color: '#f0b44c', style: 'bold' }],
      theme: t,
    });
  }, [metrics, experts, theme, group]);

  useEffect(() => {
    const ext = metrics.extent();
    for (const p of panels.current) {
      if (ext) p.setExtent(ext[0], ext[1]);
      p.redraw();
    }
  }, [metrics, version]);

  return (
    <div className="expert-load" data-testid="expert-load" style={{ marginTop: 8 }}>
      <div className="charts">
        <div className="chart-box" style={{ gridColumn: 'span 2' }}>
          <div className="chart" ref={loadEl} />
        </div>
        <div className="chart-box">
          <div className="chart" ref={balanceEl} />
        </div>
      </div>
    </div>
  );
}
