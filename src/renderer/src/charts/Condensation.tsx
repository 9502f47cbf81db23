// Run page panel for representation condensation (DESIGN §6): the mean pairwise cosine similarity of each depth at
// each eval as a heatmap, one eval's similarity distributions per depth, the per-depth curves, and the dispersion
// loss when the run trains with it.
import { useEffect, useMemo, useRef, useState } from 'react';
import * as echarts from 'echarts/core';
import { HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { CondensationHistory } from '../../../shared/generation/condensation.ts';
import { condensationMetricKey } from '../../../shared/generation/condensation.ts';
import { getClient } from '../api/client.ts';
import { errorMessage } from '../lib/errors.ts';
import { readChartTheme, useThemeName } from '../lib/theme.ts';
import { formatAxis } from '../lib/format.ts';
import type { RunMetrics } from './run-metrics.ts';
import { binCentre, condensationView, histogramCells } from './condensation-view.ts';
import { useChart } from './use-chart.ts';

echarts.use([HeatmapChart, LineChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export const DISPERSION_KEY = 'train/dispersion';
const LAYER_COLORS = ['#8b93a7', '#6ea8fe', '#5cc98a', '#f0b44c', '#ff8c5a', '#b38cff', '#4dd0e1', '#e377c2', '#bcbd22', '#f06a6a'];
const depthName = (l: number): string => (l === 0 ? 'embed' : `block ${l}`);

export function hasCondensation(m: RunMetrics): boolean {
  return m.has(condensationMetricKey(0)) || m.has(condensationMetricKey(1)) || m.has(DISPERSION_KEY);
}

export function Condensation({ runId, metrics, version }: { runId: string; metrics: RunMetrics; version: number }): React.JSX.Element {
  const [history, setHistory] = useState<CondensationHistory | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [picked, setPicked] = useState<number | null>(null);
  const theme = useThemeName();
  const heatEl = useRef<HTMLDivElement>(null);
  const histEl = useRef<HTMLDivElement>(null);
  const curveEl = useRef<HTMLDivElement>(null);
  const dispEl = useRef<HTMLDivElement>(null);
  const heat = useChart(heatEl);
  const hist = useChart(histEl);
  const curve = useChart(curveEl);
  const disp = useChart(dispEl);

  // Histograms are stored before the eval's metrics arrive: refetch whenever a new eval's condensation lands.
  const evals = metrics.get(condensationMetricKey(0)).length + metrics.get(condensationMetricKey(1)).length;
  useEffect(() => {
    let live = true;
    getClient()
      .call('runs.condensation', { runId })
      .then(
        (h) => live && (setHistory(h), setError(null)),
        (e: unknown) => live && setError(errorMessage(e)),
      );
    return () => {
      live = false;
    };
  }, [runId, evals]);

  const view = useMemo(() => (history ? condensationView(history) : null), [history]);
  const step = view && view.steps.length ? (picked !== null && view.steps.includes(picked) ? picked : view.steps[view.steps.length - 1]!) : null;

  useEffect(() => {
    const t = readChartTheme();
    const base = { backgroundColor: 'transparent', animation: false, textStyle: { color: t.text } };
    const axis = { axisLabel: { color: t.muted, fontSize: 11 }, axisLine: { lineStyle: { color: t.border } } };
    const title = (text: string): object => ({ text, left: 8, top: 4, textStyle: { fontSize: 12, fontWeight: 600, color: t.text } });
    if (view && heat.current) {
      heat.current.setOption(
        {
          ...base,
          title: title('Condensation: mean pairwise cosine (depth × eval step)'),
          tooltip: {
            backgroundColor: t.panel,
            textStyle: { color: t.text, fontSize: 12 },
            formatter: (p: { value: [number, number, number] }) => `step ${view.steps[p.value[0]]} · ${depthName(view.layers[p.value[1]]!)}<br/>mean cos ${p.value[2].toFixed(4)}`,
          },
          grid: { left: 64, right: 80, top: 32, bottom: 36 },
          xAxis: { type: 'category', name: 'eval step', nameLocation: 'middle', nameGap: 22, nameTextStyle: { color: t.muted }, data: view.steps.map(String), ...axis },
          yAxis: { type: 'category', data: view.layers.map(depthName), ...axis },
          visualMap: {
            min: Math.min(0, view.range[0]),
            max: Math.max(view.range[1], 0.01),
            calculable: true,
            precision: 2,
            orient: 'vertical',
            right: 4,
            top: 32,
            itemHeight: 120,
            textStyle: { color: t.muted, fontSize: 10 },
            inRange: { color: ['#1d2b53', '#2f6eb5', '#5cc98a', '#f0e04c', '#f06a6a'] },
          },
          series: [{ type: 'heatmap', data: view.cells, label: { show: view.cells.length <= 60, fontSize: 9, formatter: (p: { value: number[] }) => p.value[2]!.toFixed(2) } }],
        },
        true,
      );
    }
    if (view && history && step !== null && hist.current) {
      const cells = histogramCells(history, step, view.layers);
      const top = Math.max(0.001, ...cells.map((c) => c[2]));
      hist.current.setOption(
        {
          ...base,
          title: title(`Pair cosine similarity at step ${step} (share per depth)`),
          tooltip: {
            backgroundColor: t.panel,
            textStyle: { color: t.text, fontSize: 12 },
            formatter: (p: { value: [number, number, number] }) =>
              `${depthName(view.layers[p.value[0]]!)} · cos ≈ ${binCentre(p.value[1], history.bins).toFixed(3)}<br/>${(100 * p.value[2]).toFixed(2)}% of pairs`,
          },
          grid: { left: 64, right: 80, top: 32, bottom: 36 },
          xAxis: { type: 'category', data: view.layers.map(depthName), ...axis },
          yAxis: {
            type: 'category',
            data: Array.from({ length: history.bins }, (_, b) => binCentre(b, history.bins).toFixed(2)),
            ...axis,
            axisLabel: { color: t.muted, fontSize: 10, interval: Math.max(0, Math.floor(history.bins / 8) - 1) },
          },
          visualMap: { min: 0, max: top, precision: 3, calculable: true, right: 4, top: 32, itemHeight: 120, textStyle: { color: t.muted, fontSize: 10 }, inRange: { color: ['#14182a', '#2f6eb5', '#f0e04c'] } },
          series: [{ type: 'heatmap', data: cells, progressive: 0 }],
        },
        true,
      );
    }
    if (view && curve.current) {
      curve.current.setOption(
        {
          ...base,
          title: title('Mean cosine per depth over training'),
          legend: { top: 4, right: 8, textStyle: { color: t.muted, fontSize: 11 } },
          tooltip: { trigger: 'axis', backgroundColor: t.panel, textStyle: { color: t.text, fontSize: 12 } },
          grid: { left: 56, right: 16, top: 36, bottom: 30 },
          xAxis: { type: 'value', name: 'step', ...axis, splitLine: { show: false } },
          yAxis: { type: 'value', scale: true, ...axis, axisLabel: { color: t.muted, fontSize: 11, formatter: (v: number) => formatAxis(v) }, splitLine: { lineStyle: { color: t.border, opacity: 0.6 } } },
          series: view.curves.map((c, i) => ({
            type: 'line',
            name: depthName(c.layer),
            showSymbol: true,
            symbolSize: 4,
            color: LAYER_COLORS[i % LAYER_COLORS.length],
            data: c.values.flatMap((v, s) => (v === null ? [] : [[view.steps[s], v]])),
          })),
        },
        true,
      );
    }
  }, [view, history, step, theme]);

  const hasDispersion = metrics.has(DISPERSION_KEY);
  useEffect(() => {
    if (!hasDispersion || !disp.current) return;
    const t = readChartTheme();
    const b = metrics.get(DISPERSION_KEY);
    const data: [number, number][] = [];
    for (let i = 0; i < b.length; i++) if (Number.isFinite(b.values[i])) data.push([b.steps[i]!, b.values[i]!]);
    disp.current.setOption({
      backgroundColor: 'transparent',
      animation: false,
      title: { text: 'Dispersion loss (train/dispersion, before λ)', left: 8, top: 4, textStyle: { fontSize: 12, fontWeight: 600, color: t.text } },
      tooltip: { trigger: 'axis', backgroundColor: t.panel, textStyle: { color: t.text, fontSize: 12 } },
      grid: { left: 56, right: 16, top: 36, bottom: 30 },
      xAxis: { type: 'value', name: 'step', axisLabel: { color: t.muted, fontSize: 11 }, splitLine: { show: false } },
      yAxis: { type: 'value', scale: true, axisLabel: { color: t.muted, fontSize: 11, formatter: (v: number) => formatAxis(v) }, splitLine: { lineStyle: { color: t.border, opacity: 0.6 } } },
      series: [{ type: 'line', showSymbol: false, color: '#b38cff', data }],
    });
  }, [hasDispersion, metrics, version, theme]);

  return (
    <div className="condensation" data-testid="condensation" data-steps={view?.steps.length ?? 0} data-layers={view?.layers.length ?? 0} style={{ marginTop: 8 }}>
      {error && <div className="error banner" role="alert">Could not load condensation histograms: {error}</div>}
      {view && view.steps.length === 0 && <div className="muted small">No condensation histograms stored for this run (runs from before they were kept have the per-depth means only).</div>}
      <div className="charts">
        <div className="chart-box" style={{ gridColumn: 'span 2' }} data-testid="condensation-heatmap">
          <div className="chart" ref={heatEl} />
        </div>
        <div className="chart-box" data-testid="condensation-histogram">
          <div className="chart" ref={histEl} />
          {view && view.steps.length > 1 && step !== null && (
            <label className="slider small" style={{ padding: '0 8px 6px' }}>
              step
              <input
                type="range"
                min={0}
                max={view.steps.length - 1}
                value={view.steps.indexOf(step)}
                onChange={(e) => setPicked(view.steps[Number(e.target.value)] ?? null)}
                aria-label="Eval step of the histogram"
                data-testid="condensation-step"
              />
              {step}
            </label>
          )}
        </div>
        <div className="chart-box" style={{ gridColumn: hasDispersion ? 'span 2' : 'span 3' }} data-testid="condensation-curves">
          <div className="chart" ref={curveEl} />
        </div>
        {hasDispersion && (
          <div className="chart-box" data-testid="dispersion-chart">
            <div className="chart" ref={dispEl} />
          </div>
        )}
      </div>
    </div>
  );
}
