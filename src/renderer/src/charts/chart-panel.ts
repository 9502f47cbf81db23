// One ECharts panel over full-resolution series: every redraw sends only the LOD of the visible window,
// so a chart over a million points costs what a chart over a few thousand does. Panels of a page share
// an x extent and a connect group, so zoom and pan move them together.
import * as echarts from 'echarts/core';
import { LineChart, ScatterChart, type LineSeriesOption, type ScatterSeriesOption } from 'echarts/charts';
import {
  GridComponent, TooltipComponent, DataZoomInsideComponent, DataZoomSliderComponent, MarkLineComponent,
  MarkAreaComponent, LegendComponent, TitleComponent,
  type GridComponentOption, type TooltipComponentOption, type DataZoomComponentOption, type LegendComponentOption,
  type TitleComponentOption,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { lod, emptyLod, type LodResult } from './lod.ts';
import { nearestIndex, type ReadonlySeries } from './series-buffer.ts';
import { formatAxis, formatValue, niceLog } from '../lib/format.ts';

echarts.use([
  LineChart, ScatterChart, GridComponent, TooltipComponent, DataZoomInsideComponent, DataZoomSliderComponent,
  MarkLineComponent, MarkAreaComponent, LegendComponent, TitleComponent, CanvasRenderer,
]);

type Option = echarts.ComposeOption<
  LineSeriesOption | ScatterSeriesOption | GridComponentOption | TooltipComponentOption | DataZoomComponentOption | LegendComponentOption | TitleComponentOption
>;

export type LineStyle = 'faint' | 'bold' | 'points' | 'dashed' | 'markers';

export interface ChartLine {
  id: string;
  name: string;
  series: ReadonlySeries;
  color: string;
  style: LineStyle;
  /** Lines sharing a legend group toggle together (raw + smoothed of one metric). */
  legend?: string;
  /** False keeps the line out of the legend (overlays in the small panels, labelled by the overlay bar). */
  inLegend?: boolean;
}

export interface ChartMarker {
  step: number;
  stepEnd: number | null;
  color: string;
  label: string;
}

export interface ChartTheme {
  text: string;
  muted: string;
  border: string;
  panel: string;
}

export interface PanelConfig {
  title: string;
  lines: ChartLine[];
  threshold?: { value: number; label: string; color: string } | null;
  markers?: ChartMarker[];
  logY?: boolean;
  slider?: boolean;
  theme: ChartTheme;
}

/** Cumulative redraw cost split (LOD + data arrays vs ECharts update + paint), read by the UI bench. */
export const redrawStats = { lodMs: 0, echartsMs: 0, count: 0 };

const GRID = { left: 56, right: 14, top: 30 };

export class ChartPanel {
  readonly chart: echarts.ECharts;
  private cfg: PanelConfig | null = null;
  private extent: [number, number] = [0, 1];
  private zoomPct: [number, number] = [0, 100];
  private readonly lods = new Map<string, LodResult>();
  /** Points drawn per line id at the last redraw. */
  readonly plotted = new Map<string, number>();
  onRedraw: (() => void) | null = null;
  private axisDirty = false;
  private zoomDirty = false;

  constructor(el: HTMLElement, group: string) {
    this.chart = echarts.init(el, null, { renderer: 'canvas' });
    this.chart.group = group;
    echarts.connect(group);
    this.chart.on('datazoom', (raw: unknown) => {
      const ev = raw as ZoomEvent;
      const e = ev.batch?.[0] ?? ev;
      if (e.start != null && e.end != null) this.zoomPct = [e.start, e.end];
      else if (e.startValue != null && e.endValue != null) this.zoomPct = [this.toPct(e.startValue), this.toPct(e.endValue)];
      this.redraw();
    });
  }

  /** Rebuilds the whole option (lines, theme, axes); data follows in redraw(). */
  configure(cfg: PanelConfig): void {
    this.cfg = cfg;
    const t = cfg.theme;
    const bottom = cfg.slider ? 44 : 22;
    const series: (LineSeriesOption | ScatterSeriesOption)[] = cfg.lines.map((l, i) => {
      const base = { id: l.id, name: l.legend ?? l.name, data: [] as number[][], dimensions: ['x', 'y'], animation: false, silent: false };
      const withMarks = i === 0 ? this.marks(cfg) : {};
      if (l.style === 'markers') {
        return { ...base, type: 'scatter', symbolSize: 5, itemStyle: { color: l.color }, z: 5 } satisfies ScatterSeriesOption;
      }
      const faint = l.style === 'faint';
      return {
        ...base,
        type: 'line',
        showSymbol: l.style === 'points',
        symbolSize: 4,
        connectNulls: false,
        progressive: 0,
        z: faint ? 1 : 3,
        itemStyle: { color: l.color },
        lineStyle: { color: l.color, width: faint ? 1 : l.style === 'points' ? 1.5 : 2, opacity: faint ? 0.3 : 1, type: l.style === 'dashed' ? 'dashed' : 'solid' },
        emphasis: { disabled: true },
        ...withMarks,
      } satisfies LineSeriesOption;
    });
    const legendNames = [...new Set(cfg.lines.filter((l) => l.inLegend !== false).map((l) => l.legend ?? l.name))];
    const zoom = { xAxisIndex: 0, filterMode: 'none' as const, start: this.zoomPct[0], end: this.zoomPct[1] };
    const option: Option = {
      animation: false,
      title: { text: cfg.title, left: 8, top: 4, textStyle: { fontSize: 12, fontWeight: 600, color: t.text } },
      legend: { type: 'scroll', data: legendNames, top: 4, right: 8, width: '62%', pageIconSize: 8, pageTextStyle: { color: t.muted }, itemWidth: 14, itemHeight: 8, textStyle: { color: t.muted, fontSize: 11 }, inactiveColor: t.border },
      // outerBoundsMode none: fixed margins, so updates skip measuring axis labels for layout.
      grid: { left: GRID.left, right: GRID.right, top: GRID.top, bottom, outerBoundsMode: 'none' },
      tooltip: {
        trigger: 'axis',
        confine: true,
        axisPointer: { type: 'line', animation: false, lineStyle: { color: t.muted } },
        backgroundColor: t.panel,
        borderColor: t.border,
        textStyle: { color: t.text, fontSize: 12 },
        formatter: (p: unknown) => this.tooltip(p),
      },
      xAxis: {
        type: 'value',
        min: this.extent[0],
        max: this.extent[1],
        axisLine: { lineStyle: { color: t.border } },
        axisLabel: { color: t.muted, fontSize: 11, showMaxLabel: false },
        splitLine: { show: false },
      },
      yAxis: {
        type: cfg.logY ? 'log' : 'value',
        scale: true,
        // A log axis otherwise snaps to whole decades, flattening a loss curve that spans 2–6 nats.
        ...(cfg.logY ? { min: (e: { min: number }) => niceLog(e.min, 'down'), max: (e: { max: number }) => niceLog(e.max, 'up') } : {}),
        axisLabel: { color: t.muted, fontSize: 11, formatter: (v: number) => formatAxis(v), hideOverlap: !!cfg.logY },
        splitLine: { lineStyle: { color: t.border, opacity: 0.6 } },
      },
      dataZoom: cfg.slider
        ? [
            { type: 'inside', ...zoom },
            {
              type: 'slider', ...zoom, height: 14, bottom: 6, borderColor: t.border, backgroundColor: 'transparent', fillerColor: 'rgba(128,128,128,0.18)',
              handleStyle: { color: t.muted, borderColor: t.muted }, moveHandleSize: 4, textStyle: { color: t.muted, fontSize: 10 }, showDataShadow: false,
              dataBackground: { lineStyle: { opacity: 0 }, areaStyle: { opacity: 0 } }, brushSelect: false,
            },
          ]
        : [{ type: 'inside', ...zoom }],
      series,
    };
    this.lods.clear();
    this.axisDirty = this.zoomDirty = false;
    this.chart.setOption(option, { notMerge: true });
    this.redraw();
  }

  /**
   * The shared x extent (steps) of the page; keeps a zoomed window on the same steps as it grows.
   * Takes effect at the next redraw(), in the same ECharts update as the data.
   */
  setExtent(lo: number, hi: number): void {
    if (hi <= lo) hi = lo + 1;
    if (lo === this.extent[0] && hi === this.extent[1]) return;
    const [w0, w1] = this.window();
    const following = this.zoomPct[1] >= 100;
    const zoomed = this.zoomPct[0] > 0 || this.zoomPct[1] < 100;
    this.extent = [lo, hi];
    if (zoomed) {
      this.zoomPct = [this.toPct(w0), following ? 100 : this.toPct(w1)];
      this.zoomDirty = true;
    }
    this.axisDirty = true;
  }

  /** The visible step range. */
  window(): [number, number] {
    const [a, b] = this.extent;
    return [a + ((b - a) * this.zoomPct[0]) / 100, a + ((b - a) * this.zoomPct[1]) / 100];
  }

  /** Recomputes every line's LOD for the visible window and hands ECharts only that. */
  redraw(): void {
    if (!this.cfg) return;
    const [x0, x1] = this.window();
    const px = Math.max(50, this.chart.getWidth() - GRID.left - GRID.right);
    const logY = !!this.cfg.logY;
    const t0 = performance.now();
    const series = this.cfg.lines.map((l) => {
      const r = lod(l.series, x0, x1, px, this.lods.get(l.id) ?? emptyLod(2 * px + 2));
      this.lods.set(l.id, r);
      this.plotted.set(l.id, r.length);
      // Interleaved x,y in one typed array: ECharts reads it without a per-point object. NaN breaks the line.
      const data = new Float64Array(2 * r.length);
      for (let i = 0; i < r.length; i++) {
        const v = r.values[i];
        data[2 * i] = r.steps[i];
        data[2 * i + 1] = Number.isFinite(v) && (!logY || v > 0) ? v : NaN;
      }
      // A lone point has no segment to draw: show its symbol.
      return l.style === 'faint' || l.style === 'bold' || l.style === 'dashed' ? { id: l.id, data, showSymbol: r.length === 1 } : { id: l.id, data };
    });
    const t1 = performance.now();
    const update: Option = { series: series as Option['series'] };
    if (this.axisDirty) update.xAxis = { min: this.extent[0], max: this.extent[1] };
    if (this.zoomDirty) {
      const z = { start: this.zoomPct[0], end: this.zoomPct[1] };
      update.dataZoom = this.cfg.slider ? [z, z] : [z];
    }
    this.axisDirty = this.zoomDirty = false;
    this.chart.setOption(update, { lazyUpdate: false, silent: true });
    redrawStats.lodMs += t1 - t0;
    redrawStats.echartsMs += performance.now() - t1;
    redrawStats.count++;
    this.onRedraw?.();
  }

  /** Zooms every connected panel to [x0, x1]. */
  zoomTo(x0: number, x1: number): void {
    this.chart.dispatchAction({ type: 'dataZoom', startValue: x0, endValue: x1 });
  }

  resetZoom(): void {
    this.chart.dispatchAction({ type: 'dataZoom', start: 0, end: 100 });
  }

  resize(): void {
    this.chart.resize();
    this.redraw();
  }

  dispose(): void {
    this.chart.dispose();
  }

  private toPct(v: number): number {
    const [a, b] = this.extent;
    return Math.min(100, Math.max(0, ((v - a) / (b - a)) * 100));
  }

  private marks(cfg: PanelConfig): Pick<LineSeriesOption, 'markLine' | 'markArea'> {
    const markers = cfg.markers ?? [];
    const lines: NonNullable<LineSeriesOption['markLine']>['data'] = [];
    if (cfg.threshold) {
      lines.push({
        yAxis: cfg.threshold.value,
        name: cfg.threshold.label,
        lineStyle: { type: 'dashed', color: cfg.threshold.color, width: 1.2 },
        label: { formatter: cfg.threshold.label, color: cfg.threshold.color, position: 'insideEndTop', fontSize: 10 },
      });
    }
    for (const m of markers) {
      lines.push({ xAxis: m.step, name: m.label, lineStyle: { type: 'solid', color: m.color, width: 1, opacity: 0.8 }, label: { show: false } });
    }
    const areas = markers
      .filter((m) => m.stepEnd != null && m.stepEnd > m.step)
      .map((m) => [{ xAxis: m.step, itemStyle: { color: m.color, opacity: 0.12 } }, { xAxis: m.stepEnd! }] as [{ xAxis: number; itemStyle: { color: string; opacity: number } }, { xAxis: number }]);
    return {
      markLine: { silent: true, symbol: ['none', 'none'], animation: false, data: lines },
      markArea: { silent: true, animation: false, data: areas },
    };
  }

  private tooltip(p: unknown): string {
    const params = (Array.isArray(p) ? p : [p]) as { axisValue?: number; value?: [number, number] }[];
    const x = params[0]?.axisValue ?? params[0]?.value?.[0];
    if (x == null || !this.cfg) return '';
    const rows: string[] = [`<div style="font-weight:600;margin-bottom:2px">step ${Math.round(x)}</div>`];
    for (const l of this.cfg.lines) {
      if (l.style === 'markers') continue;
      const i = nearestIndex(l.series, x);
      if (i < 0) continue;
      const step = l.series.steps[i];
      const at = step !== Math.round(x) ? ` <span style="opacity:.6">@${step}</span>` : '';
      rows.push(
        `<div><span style="display:inline-block;width:8px;height:8px;border-radius:4px;background:${escapeHtml(l.color)};margin-right:6px"></span>` +
          `${escapeHtml(l.name)} <b>${formatValue(l.series.values[i], 6)}</b>${at}</div>`,
      );
    }
    return rows.join('');
  }
}

interface ZoomFields {
  start?: number;
  end?: number;
  startValue?: number;
  endValue?: number;
}
interface ZoomEvent extends ZoomFields {
  batch?: ZoomFields[];
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
