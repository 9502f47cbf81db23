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
import { lod, emptyLod, lodCapacity, type LodResult } from './lod.ts';
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
export const redrawStats = { lodMs: 0, echartsMs: 0, count: 0, updates: 0 };

const GRID = { left: 56, right: 14, top: 30 };
/** Eval points show a symbol each while at most this many are drawn. */
const MAX_SYMBOLS = 150;

export class ChartPanel {
  readonly chart: echarts.ECharts;
  private cfg: PanelConfig | null = null;
  private extent: [number, number] = [0, 1];
  private zoomPct: [number, number] = [0, 100];
  private readonly lods = new Map<string, LodResult>();
  /** The data last handed to ECharts per line id, to skip lines whose drawn points did not change. */
  private readonly sent = new Map<string, Float64Array>();
  /** Points drawn per line id at the last redraw. */
  readonly plotted = new Map<string, number>();
  onRedraw: (() => void) | null = null;
  private axisDirty = false;
  private zoomDirty = false;
  /** Legend groups switched off from the header; their lines are drawn with no data. */
  private readonly hidden = new Set<string>();
  /**
   * Title and legend are HTML over the chart, not ECharts components: ECharts re-lays out and repaints every
   * component on every data update, and these two cost as much as a line of a million-point run.
   */
  private readonly head: HTMLDivElement;

  constructor(el: HTMLElement, group: string) {
    this.chart = echarts.init(el, null, { renderer: 'canvas' });
    this.chart.group = group;
    if (getComputedStyle(el).position === 'static') el.style.position = 'relative';
    this.head = document.createElement('div');
    this.head.className = 'chart-head';
    this.head.style.cssText = 'position:absolute;top:0;left:0;right:0;height:26px;display:flex;align-items:center;gap:10px;padding:0 8px;font-size:11px;pointer-events:none;z-index:1;overflow:hidden';
    el.appendChild(this.head);
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
      // Marker components only when there is something to mark: even empty, they re-render on every update.
      const withMarks = i === 0 && (cfg.threshold || cfg.markers?.length) ? this.marks(cfg) : {};
      if (l.style === 'markers') {
        // large: one path for all markers once there are many (a run that clips on most steps).
        return { ...base, type: 'scatter', symbolSize: 5, large: true, largeThreshold: 400, itemStyle: { color: l.color }, z: 5 } satisfies ScatterSeriesOption;
      }
      const faint = l.style === 'faint';
      return {
        ...base,
        type: 'line',
        showSymbol: false,
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
    const legendNames = this.legendNames(cfg);
    const zoom = { xAxisIndex: 0, filterMode: 'none' as const, start: this.zoomPct[0], end: this.zoomPct[1] };
    const option: Option = {
      animation: false,
      title: { show: false, text: cfg.title, left: 8, top: 4, textStyle: { fontSize: 12, fontWeight: 600, color: t.text } },
      legend: { show: false, type: 'scroll', data: legendNames, top: 4, right: 8, width: '62%', pageIconSize: 8, pageTextStyle: { color: t.muted }, itemWidth: 14, itemHeight: 8, textStyle: { color: t.muted, fontSize: 11 }, inactiveColor: t.border },
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
        minInterval: 1, // steps are whole numbers: no 0.2-step ticks on a short run
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
    this.sent.clear();
    for (const h of [...this.hidden]) if (!legendNames.includes(h)) this.hidden.delete(h);
    this.renderHead(cfg, legendNames);
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
    // Long runs: the axis end moves in steps of ~1/256 of the span (under 4 px of headroom), so a live batch
    // that leaves every line's drawn points unchanged changes nothing at all and costs no ECharts update.
    const span = hi - lo;
    const q = span >= 512 ? 2 ** Math.floor(Math.log2(span / 256)) : 0;
    if (q) hi = lo + Math.ceil(span / q) * q;
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

  /**
   * Recomputes every line's LOD for the visible window and hands ECharts only the lines whose drawn points
   * changed (after a live batch at full view that is the lines of the metrics that got points; val loss,
   * clipped markers and idle overlays stay as they are).
   */
  redraw(): void {
    if (!this.cfg) return;
    const [x0, x1] = this.window();
    const px = Math.max(50, this.chart.getWidth() - GRID.left - GRID.right);
    const logY = !!this.cfg.logY;
    const t0 = performance.now();
    const series: { id: string; data: Float64Array; showSymbol?: boolean }[] = [];
    for (const l of this.cfg.lines) {
      const off = this.hidden.has(l.legend ?? l.name);
      const r = off ? emptyLod() : lod(l.series, x0, x1, px, this.lods.get(l.id) ?? emptyLod(lodCapacity(px)));
      if (!off) this.lods.set(l.id, r);
      this.plotted.set(l.id, r.length);
      // Interleaved x,y in one typed array: ECharts reads it without a per-point object. NaN breaks the line.
      const data = new Float64Array(2 * r.length);
      for (let i = 0; i < r.length; i++) {
        const v = r.values[i];
        data[2 * i] = r.steps[i];
        data[2 * i + 1] = Number.isFinite(v) && (!logY || v > 0) ? v : NaN;
      }
      const prev = this.sent.get(l.id);
      if (prev && sameData(prev, data)) continue;
      this.sent.set(l.id, data);
      // A lone point has no segment to draw: show its symbol. Eval points get symbols while they are few
      // enough to tell apart; hundreds of symbol elements would cost more than all the lines together.
      const symbols = l.style === 'points' ? r.length <= MAX_SYMBOLS : l.style === 'markers' ? undefined : r.length === 1;
      series.push(symbols === undefined ? { id: l.id, data } : { id: l.id, data, showSymbol: symbols });
    }
    const t1 = performance.now();
    const update: Option = {};
    if (series.length) update.series = series as Option['series'];
    if (this.axisDirty) update.xAxis = { min: this.extent[0], max: this.extent[1] };
    if (this.zoomDirty) {
      const z = { start: this.zoomPct[0], end: this.zoomPct[1] };
      update.dataZoom = this.cfg.slider ? [z, z] : [z];
    }
    this.axisDirty = this.zoomDirty = false;
    if (update.series || update.xAxis || update.dataZoom) {
      this.chart.setOption(update, { lazyUpdate: false, silent: true });
      redrawStats.updates++;
    }
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

  /** Shows or hides a legend group (the raw and smoothed lines of one metric toggle together). */
  toggle(legend: string): void {
    if (this.hidden.has(legend)) this.hidden.delete(legend);
    else this.hidden.add(legend);
    if (this.cfg) this.renderHead(this.cfg, this.legendNames(this.cfg));
    this.redraw();
  }

  /** Draws title and legend into the canvas (for a PNG export) or leaves them to the HTML header. */
  setExportChrome(on: boolean): void {
    if (!this.cfg) return;
    // The ECharts legend filters series it has unselected, so it only mirrors the hidden groups while shown.
    const selected = Object.fromEntries(this.legendNames(this.cfg).map((n) => [n, !on || !this.hidden.has(n)]));
    this.chart.setOption({ title: { show: on }, legend: { show: on, selected } }, { silent: true });
  }

  resize(): void {
    this.chart.resize();
    this.redraw();
  }

  dispose(): void {
    this.chart.dispose();
  }

  private legendNames(cfg: PanelConfig): string[] {
    return [...new Set(cfg.lines.filter((l) => l.inLegend !== false).map((l) => l.legend ?? l.name))];
  }

  private renderHead(cfg: PanelConfig, names: string[]): void {
    const t = cfg.theme;
    const title = document.createElement('span');
    title.textContent = cfg.title;
    title.style.cssText = `font-weight:600;font-size:12px;color:${t.text};white-space:nowrap`;
    const legend = document.createElement('span');
    legend.style.cssText = 'margin-left:auto;display:flex;gap:8px;overflow:hidden;white-space:nowrap';
    for (const name of names) {
      const line = cfg.lines.find((l) => (l.legend ?? l.name) === name)!;
      const off = this.hidden.has(name);
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'chart-legend-item';
      b.title = off ? `Show ${name}` : `Hide ${name}`;
      b.setAttribute('aria-pressed', String(!off));
      b.style.cssText = `pointer-events:auto;background:none;border:0;padding:0;cursor:pointer;font:inherit;color:${off ? t.border : t.muted};display:inline-flex;align-items:center;gap:4px`;
      const swatch = document.createElement('span');
      // Markers (steps picked out of a line, e.g. clipped ones) get a dot, so they do not read as a series of values.
      swatch.dataset.swatch = line.style === 'markers' ? 'dot' : 'line';
      swatch.style.cssText = line.style === 'markers'
        ? `display:inline-block;width:7px;height:7px;border-radius:50%;background:${off ? t.border : line.color}`
        : `display:inline-block;width:14px;height:3px;border-radius:2px;background:${off ? t.border : line.color}`;
      b.append(swatch, document.createTextNode(name));
      b.addEventListener('click', () => this.toggle(name));
      legend.appendChild(b);
    }
    this.head.replaceChildren(title, legend);
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
      if (l.style === 'markers' || this.hidden.has(l.legend ?? l.name)) continue;
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

function sameData(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(a[i] !== a[i] && b[i] !== b[i])) return false;
  return true;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
