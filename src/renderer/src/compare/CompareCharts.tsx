// The Compare page's two ECharts: Δ of the compared metric's final and best value per row (mean ± std error bars over seeds, the baseline's
// noise band, verdict and p under each bar), and the val-loss curves of every compared run below it.
import { useEffect, useImperativeHandle, useRef, type Ref } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, CustomChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { CustomSeriesRenderItemAPI } from 'echarts';
import type { CompareTable } from '../../../shared/ablation/index.ts';
import { describeAt } from '../../../shared/ablation/index.ts';
import { barLabel, compareChartModel, formatDelta, formatMeanStd, verdictLabel, type CurveLine } from './compare-model.ts';
import { readChartTheme, cssVar, useThemeName } from '../lib/theme.ts';
import { formatAxis } from '../lib/format.ts';
import { useChart } from '../charts/use-chart.ts';

echarts.use([BarChart, CustomChart, LineChart, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

/** Each category holds two bars (final, best) of this share of the band, side by side with no gap. */
const BAR_SHARE = 0.3;

export interface CompareChartsHandle {
  barsPng(): string | null;
  curvesPng(): string | null;
}

export function CompareCharts({ table, curves, ref }: { table: CompareTable; curves: CurveLine[]; ref?: Ref<CompareChartsHandle> }): React.JSX.Element {
  const barsEl = useRef<HTMLDivElement>(null);
  const curvesEl = useRef<HTMLDivElement>(null);
  const bars = useChart(barsEl);
  const lines = useChart(curvesEl);
  const theme = useThemeName();
  const model = compareChartModel(table);
  // The baseline's own spread on the value the test uses (the std its whiskers show): final, best or at the step.
  const baselineRow = table.rows.find((r) => r.isBaseline);
  const baselineStd = (typeof table.at === 'number' ? baselineRow?.atStep : baselineRow?.[table.at])?.std ?? null;

  useEffect(() => {
    const c = bars.current;
    if (!c) return;
    const t = readChartTheme();
    const colors = { final: cssVar('--c-val', '#ff8c5a'), best: cssVar('--c-train', '#6ea8fe'), band: cssVar('--muted', '#8b93a7') };
    // At a step the test runs on neither bar: no band is drawn on them (the table has the at-step values and verdicts).
    const chosen = typeof table.at === 'number' ? null : table.at;
    const barSeries = (['final', 'best'] as const).map((metric) => ({
      type: 'bar' as const,
      name: `${metric} ${table.metric} Δ`,
      barWidth: `${BAR_SHARE * 100}%`,
      barGap: '0%',
      itemStyle: { color: colors[metric], opacity: metric === chosen ? 0.9 : 0.55 },
      data: model.bars[metric].map((b) => (b.delta === null ? null : b.delta)),
      label: {
        show: true,
        position: 'top' as const,
        color: t.text,
        fontSize: 10,
        formatter: (p: { dataIndex: number }) => barLabel(table.rows[p.dataIndex], metric),
      },
      ...(metric === chosen && model.band
        ? {
            markArea: {
              silent: true,
              itemStyle: { color: colors.band, opacity: 0.15 },
              label: { show: false },
              data: [[{ yAxis: model.band.lower }, { yAxis: model.band.upper }]],
            },
          }
        : {}),
    }));
    const errorData = model.errorBars.map((b) => [b.index, b.delta - b.std, b.delta + b.std, b.metric === 'final' ? -1 : 1]);
    c.setOption(
      {
        backgroundColor: 'transparent',
        animation: false,
        // Title, then the legend on its own line: at narrow widths a right-aligned legend ran into the title, and the
        // long explanation (band, whiskers) lives in the caption under the chart where it can wrap.
        title: {
          text: `Δ ${table.metric} vs baseline (${/(^|\/)loss$/.test(table.metric) ? 'nats; ' : ''}${table.higherIsBetter ? 'higher' : 'lower'} is better)`,
          left: 8,
          top: 4,
          textStyle: { fontSize: 12, fontWeight: 600, color: t.text },
        },
        legend: { top: 24, left: 4, textStyle: { color: t.muted, fontSize: 11 }, data: barSeries.map((s) => s.name) },
        grid: { left: 64, right: 16, top: 60, bottom: 64 },
        tooltip: {
          trigger: 'axis',
          axisPointer: { type: 'shadow' },
          backgroundColor: t.panel,
          borderColor: t.border,
          textStyle: { color: t.text, fontSize: 12 },
          formatter: (ps: unknown) => {
            const first = Array.isArray(ps) ? (ps[0] as { dataIndex?: number }) : null;
            const row = first?.dataIndex !== undefined ? table.rows[first.dataIndex] : undefined;
            if (!row) return '';
            const esc = (s: string): string => s.replace(/[&<>]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[ch] ?? ch);
            return [
              `<b>${esc(row.label)}</b> · ${row.runIds.length} run(s)`,
              `final ${formatMeanStd(row.final.mean, row.final.std)} · Δ ${formatDelta(row.final.delta)}`,
              `best ${formatMeanStd(row.best.mean, row.best.std)} · Δ ${formatDelta(row.best.delta)}`,
              esc(verdictLabel(row)),
              `<span style="opacity:.7">${esc(row.explanation)}</span>`,
            ].join('<br/>');
          },
        },
        xAxis: {
          type: 'category',
          data: model.axisLabels,
          axisLabel: { color: t.muted, fontSize: 10.5, interval: 0, width: 150, overflow: 'truncate', lineHeight: 14 },
          axisLine: { lineStyle: { color: t.border } },
        },
        yAxis: {
          type: 'value',
          min: model.extent[0],
          max: model.extent[1],
          // The extent is padded to fit whiskers and band, so its ends are not round numbers: label the inner ticks only.
          axisLabel: { color: t.muted, fontSize: 11, formatter: (v: number) => formatAxis(v), showMinLabel: false, showMaxLabel: false },
          splitLine: { lineStyle: { color: t.border, opacity: 0.6 } },
        },
        series: [
          ...barSeries,
          {
            type: 'custom',
            name: 'mean ± std over seeds',
            silent: true,
            z: 5,
            data: errorData,
            encode: { x: 0, y: [1, 2] },
            renderItem: (_params: unknown, api: CustomSeriesRenderItemAPI) => {
              const index = api.value(0) as number;
              const side = api.value(3) as number;
              const lo = api.coord([index, api.value(1)]);
              const hi = api.coord([index, api.value(2)]);
              const band = (api.size?.([1, 0]) as number[] | undefined)?.[0] ?? 40;
              const x = lo[0] + side * band * BAR_SHARE * 0.5;
              const cap = Math.max(3, band * BAR_SHARE * 0.25);
              const style = { stroke: t.text, lineWidth: 1.5 };
              return {
                type: 'group',
                children: [
                  { type: 'line', shape: { x1: x, y1: lo[1], x2: x, y2: hi[1] }, style },
                  { type: 'line', shape: { x1: x - cap, y1: lo[1], x2: x + cap, y2: lo[1] }, style },
                  { type: 'line', shape: { x1: x - cap, y1: hi[1], x2: x + cap, y2: hi[1] }, style },
                ],
              };
            },
          },
        ],
      },
      true,
    );
    const host = barsEl.current!.parentElement!;
    host.dataset.bars = String(model.bars.final.filter((b) => b.delta !== null).length + model.bars.best.filter((b) => b.delta !== null).length);
    host.dataset.errorBars = String(model.errorBars.length);
    host.dataset.band = model.band ? '1' : '0';
  }, [table, theme]);

  useEffect(() => {
    const c = lines.current;
    if (!c) return;
    const t = readChartTheme();
    c.setOption(
      {
        backgroundColor: 'transparent',
        animation: false,
        title: { text: `${table.metric} by step`, left: 8, top: 4, textStyle: { fontSize: 12, fontWeight: 600, color: t.text } },
        legend: { type: 'scroll', top: 4, right: 8, width: '60%', textStyle: { color: t.muted, fontSize: 11 } },
        grid: { left: 56, right: 16, top: 36, bottom: 30 },
        tooltip: { trigger: 'axis', backgroundColor: t.panel, borderColor: t.border, textStyle: { color: t.text, fontSize: 12 } },
        xAxis: { type: 'value', name: 'step', nameLocation: 'end', axisLabel: { color: t.muted, fontSize: 11 }, splitLine: { show: false }, axisLine: { lineStyle: { color: t.border } } },
        yAxis: { type: 'value', scale: true, axisLabel: { color: t.muted, fontSize: 11, formatter: (v: number) => formatAxis(v) }, splitLine: { lineStyle: { color: t.border, opacity: 0.6 } } },
        series: curves.map((l) => ({
          type: 'line',
          name: l.name,
          data: l.points,
          showSymbol: l.points.length < 60,
          symbolSize: 4,
          lineStyle: { color: l.color, width: 1.5, type: l.dashed ? 'dashed' : 'solid' },
          itemStyle: { color: l.color },
        })),
      },
      true,
    );
    curvesEl.current!.parentElement!.dataset.lines = String(curves.filter((l) => l.points.length > 0).length);
  }, [curves, theme, table.metric]);

  useImperativeHandle(ref, () => ({
    barsPng: () => bars.current?.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: readChartTheme().panel }) ?? null,
    curvesPng: () => lines.current?.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: readChartTheme().panel }) ?? null,
  }));

  return (
    <div className="compare-charts">
      <div className="chart-box compare-bars" data-testid="compare-bars">
        <div className="chart" ref={barsEl} />
        <div className="muted small chart-caption" data-testid="bars-caption">
          {typeof table.at === 'number'
            ? `Bars: final and best; the comparison at step ${table.at} (values, Welch p, noise band) is in the table. `
            : model.band
              ? `Grey band: the baseline's noise on ${describeAt(table.at)} ${table.metric} (±${model.band.sigmas}σ over ${model.band.n} seeds). `
              : 'No noise band: the baseline has fewer than 2 seeds. '}
          Whiskers: ± std over seeds{baselineStd !== null ? ` (the baseline's: ${baselineStd.toFixed(4)})` : ''}.
        </div>
      </div>
      <div className="chart-box compare-curves" data-testid="compare-curves">
        <div className="chart" ref={curvesEl} />
      </div>
    </div>
  );
}
