// The run page's linked panels (loss, grad norm, LR, tokens/s, generalisation gap) over one run plus overlays.
// Data changes only trigger a per-frame LOD redraw; option rebuilds happen when lines, theme or markers change.
import { useEffect, useId, useImperativeHandle, useMemo, useRef, type Ref } from 'react';
import type { Alert } from '../../../shared/alerts.ts';
import { MetricKey } from '../../../shared/metrics.ts';
import { ChartPanel, type ChartLine, type PanelConfig } from './chart-panel.ts';
import { alertMarkers, alertMarkersKey } from './alert-markers.ts';
import type { RunMetrics } from './run-metrics.ts';
import { SmoothedSeries } from './smoothing.ts';
import type { SeriesBuffer } from './series-buffer.ts';
import { cssVar, readChartTheme, useThemeName } from '../lib/theme.ts';

export interface ChartRun {
  id: string;
  name: string;
  metrics: RunMetrics;
  /** Overlay colour; the primary run uses the per-metric palette. */
  color: string;
}

export interface RunChartsHandle {
  /** Synchronous redraw of every panel (the live path does this once per frame). */
  redrawNow(): void;
  plotted(panel: string, lineId: string): number;
  zoomTo(x0: number, x1: number): void;
  resetZoom(): void;
  extent(): [number, number] | null;
  pngDataUrl(): string | null;
}

export interface RunChartsProps {
  primary: ChartRun;
  overlays: ChartRun[];
  /** Bumped whenever any run's metrics changed. */
  version: number;
  smoothing: number;
  logY: boolean;
  gradClip: number | null;
  /** The overfitting alert's gap limit (alerts.overfit_gap), drawn on the gap panel. */
  gapLimit?: number | null;
  alerts: Alert[];
  ref?: Ref<RunChartsHandle>;
}

type PanelId = 'loss' | 'grad' | 'lr' | 'tps' | 'gap';
const GAP_TITLE = 'Generalisation gap: val − train CE (nats)';
const PANELS: { id: PanelId; title: string; testId?: string }[] = [
  { id: 'loss', title: 'Loss (nats)', testId: 'loss-chart' },
  { id: 'grad', title: 'Gradient norm (pre-clip)', testId: 'grad-chart' },
  { id: 'lr', title: 'Learning rate', testId: 'lr-chart' },
  { id: 'tps', title: 'Tokens / s', testId: 'tps-chart' },
  { id: 'gap', title: GAP_TITLE, testId: 'gap-chart' },
];
/** Main-thread time one animation frame may spend on live redraws before the rest waits a frame. */
const FRAME_BUDGET_MS = 10;
/** The id of the primary run's raw train-loss line; its plotted count is exposed as data-points. */
export const TRAIN_LINE_ID = 'p:train';

export function RunCharts({ primary, overlays, version, smoothing, logY, gradClip, gapLimit = null, alerts, ref }: RunChartsProps): React.JSX.Element {
  const group = `loupe-${useId()}`;
  const els = useRef<Record<PanelId, HTMLDivElement | null>>({ loss: null, grad: null, lr: null, tps: null, gap: null });
  const panels = useRef<Partial<Record<PanelId, ChartPanel>>>({});
  const smoothed = useRef(new Map<string, SmoothedSeries>());
  const frame = useRef(0);
  const theme = useThemeName();

  const smooth = (run: ChartRun, key: string): SeriesBuffer => {
    const id = `${run.id}|${key}`;
    const raw = run.metrics.get(key);
    let s = smoothed.current.get(id);
    if (!s || s.raw !== raw) {
      s = new SmoothedSeries(raw, smoothing);
      smoothed.current.set(id, s);
    }
    return s.smooth;
  };

  // Create and dispose the ECharts instances with the component.
  useEffect(() => {
    const created: ChartPanel[] = [];
    for (const p of PANELS) {
      const el = els.current[p.id];
      if (!el) continue;
      const panel = new ChartPanel(el, group);
      panels.current[p.id] = panel;
      created.push(panel);
      if (p.id === 'loss') {
        el.parentElement!.dataset.points = '0';
        panel.onRedraw = () => {
          el.parentElement!.dataset.points = String(panel.plotted.get(TRAIN_LINE_ID) ?? 0);
        };
      }
    }
    let resizeFrame = 0;
    const ro = new ResizeObserver(() => {
      cancelAnimationFrame(resizeFrame);
      resizeFrame = requestAnimationFrame(() => created.forEach((c) => c.resize()));
    });
    for (const p of PANELS) if (els.current[p.id]) ro.observe(els.current[p.id]!);
    return () => {
      ro.disconnect();
      cancelAnimationFrame(resizeFrame);
      created.forEach((c) => c.dispose());
      panels.current = {};
    };
  }, [group]);

  const runsKey = [primary, ...overlays].map((r) => `${r.id}:${r.color}:${r.name}`).join('|');
  const alertsKey = alertMarkersKey(alerts);

  // Rebuild options when what is drawn (not the data) changes.
  useEffect(() => {
    for (const s of smoothed.current.values()) s.setWeight(smoothing);
    const t = readChartTheme();
    const pal = {
      train: cssVar('--c-train', '#6ea8fe'),
      val: cssVar('--c-val', '#ff8c5a'),
      grad: cssVar('--c-grad', '#b38cff'),
      lr: cssVar('--c-lr', '#5cc98a'),
      tps: cssVar('--c-tps', '#4dd0e1'),
      warn: cssVar('--warn', '#f0b44c'),
      err: cssVar('--err', '#f06a6a'),
      info: cssVar('--muted', '#8b93a7'),
    };
    const sevColors = { info: pal.info, warning: pal.warn, error: pal.err };
    const m = primary.metrics;
    const lines: Record<PanelId, ChartLine[]> = {
      loss: [
        { id: TRAIN_LINE_ID, name: 'train', legend: 'train', series: m.get(MetricKey.trainLoss), color: pal.train, style: 'faint' },
        { id: 'p:train-s', name: 'train (smoothed)', legend: 'train', series: smooth(primary, MetricKey.trainLoss), color: pal.train, style: 'bold' },
        { id: 'p:val', name: 'val', series: m.get(MetricKey.valLoss), color: pal.val, style: 'points' },
      ],
      grad: [
        { id: 'p:grad', name: 'grad norm', legend: 'grad norm', series: m.get(MetricKey.gradNorm), color: pal.grad, style: 'faint' },
        { id: 'p:grad-s', name: 'grad norm (smoothed)', legend: 'grad norm', series: smooth(primary, MetricKey.gradNorm), color: pal.grad, style: 'bold' },
        // Not values of their own: the steps where the norm was clipped, marked on the pre-clip norm line.
        { id: 'p:clipped', name: 'clipped steps', series: m.clippedGrad, color: pal.warn, style: 'markers' },
      ],
      lr: [{ id: 'p:lr', name: 'lr', series: m.get(MetricKey.lr), color: pal.lr, style: 'bold' }],
      tps: [
        { id: 'p:tps', name: 'tokens/s', legend: 'tokens/s', series: m.get(MetricKey.tokensPerS), color: pal.tps, style: 'faint' },
        { id: 'p:tps-s', name: 'tokens/s (smoothed)', legend: 'tokens/s', series: smooth(primary, MetricKey.tokensPerS), color: pal.tps, style: 'bold' },
      ],
      gap: [{ id: 'p:gap', name: primary.name, legend: 'gap', series: m.gap, color: pal.val, style: 'bold' }],
    };
    overlays.forEach((o, i) => {
      const om = o.metrics;
      const p = `o${i}:`;
      lines.loss.push(
        { id: `${p}train-s`, name: `${o.name} train`, legend: o.name, series: smooth(o, MetricKey.trainLoss), color: o.color, style: 'bold' },
        { id: `${p}val`, name: `${o.name} val`, legend: o.name, series: om.get(MetricKey.valLoss), color: o.color, style: 'dashed' },
      );
      lines.grad.push({ id: `${p}grad-s`, name: o.name, inLegend: false, series: smooth(o, MetricKey.gradNorm), color: o.color, style: 'bold' });
      lines.lr.push({ id: `${p}lr`, name: o.name, inLegend: false, series: om.get(MetricKey.lr), color: o.color, style: 'dashed' });
      lines.tps.push({ id: `${p}tps-s`, name: o.name, inLegend: false, series: smooth(o, MetricKey.tokensPerS), color: o.color, style: 'bold' });
      lines.gap.push({ id: `${p}gap`, name: o.name, legend: o.name, series: om.gap, color: o.color, style: 'dashed' });
    });
    const cfgs: Record<PanelId, PanelConfig> = {
      loss: { title: 'Loss (nats)', lines: lines.loss, logY, slider: true, theme: t, markers: alertMarkers(alerts, 'loss', sevColors) },
      grad: {
        title: 'Gradient norm (pre-clip)',
        lines: lines.grad,
        logY,
        theme: t,
        threshold: gradClip && gradClip > 0 ? { value: gradClip, label: `clip ${gradClip}`, color: pal.warn } : null,
        markers: alertMarkers(alerts, 'grad', sevColors),
      },
      lr: { title: 'Learning rate', lines: lines.lr, logY, theme: t },
      tps: { title: 'Tokens / s', lines: lines.tps, theme: t },
      gap: { title: GAP_TITLE, lines: lines.gap, theme: t, threshold: gapLimit ? { value: gapLimit, label: `overfitting alert ${gapLimit}`, color: pal.warn } : null },
    };
    for (const p of PANELS) {
      const panel = panels.current[p.id];
      if (!panel) continue;
      applyExtent(panel, primary, overlays);
      panel.configure(cfgs[p.id]);
      // How many alert markers the panel draws, for tests and assistive reading of the canvas.
      const box = els.current[p.id]?.parentElement;
      if (box) box.dataset.alertMarkers = String(cfgs[p.id].markers?.length ?? 0);
    }
    // Keyed on runsKey/alertsKey rather than object identity, so re-renders with equal inputs cost nothing.
  }, [runsKey, alertsKey, smoothing, logY, gradClip, gapLimit, theme, group]);

  // New data: sync smoothed twins, grow the shared extent, redraw the visible LOD.
  const redrawPanel = (id: PanelId): void => {
    const panel = panels.current[id];
    if (!panel) return;
    applyExtent(panel, primary, overlays);
    panel.redraw();
  };
  const redrawAll = (): void => {
    for (const s of smoothed.current.values()) s.sync();
    for (const p of PANELS) redrawPanel(p.id);
  };
  // Live updates run on a frame budget: panels are redrawn (longest-waiting first) until FRAME_BUDGET_MS is
  // spent, the rest on the next frames. With huge runs on a slow machine the page stays responsive to
  // input instead of blocking for all four panels at once; small runs still redraw everything per frame.
  const dirty = useRef(new Set<PanelId>());
  const lastDrawn = useRef<Record<PanelId, number>>({ loss: 0, grad: 0, lr: 0, tps: 0, gap: 0 });
  const tick = (): void => {
    frame.current = 0;
    const t0 = performance.now();
    for (const s of smoothed.current.values()) s.sync();
    // Longest-waiting first, so no panel starves while points arrive every frame.
    const order = [...dirty.current].sort((a, b) => lastDrawn.current[a] - lastDrawn.current[b]);
    for (const id of order) {
      dirty.current.delete(id);
      redrawPanel(id);
      lastDrawn.current[id] = performance.now();
      if (performance.now() - t0 > FRAME_BUDGET_MS) break;
    }
    if (dirty.current.size) frame.current = requestAnimationFrame(() => tickRef.current());
  };
  const redrawRef = useRef(redrawAll);
  redrawRef.current = redrawAll;
  const tickRef = useRef(tick);
  tickRef.current = tick;
  useEffect(() => {
    for (const p of PANELS) dirty.current.add(p.id);
    if (!frame.current) frame.current = requestAnimationFrame(() => tickRef.current());
  }, [version, primary, overlays]);
  useEffect(
    () => () => {
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    },
    [],
  );

  useImperativeHandle(ref, () => ({
    redrawNow: () => redrawRef.current(),
    plotted: (panel, lineId) => panels.current[panel as PanelId]?.plotted.get(lineId) ?? 0,
    zoomTo: (x0, x1) => panels.current.loss?.zoomTo(x0, x1),
    resetZoom: () => panels.current.loss?.resetZoom(),
    extent: () => runsExtent(primary, overlays),
    pngDataUrl: () => {
      const all = Object.values(panels.current);
      // Titles and legends live in HTML on screen; the export draws them into the canvases for the moment.
      all.forEach((p) => p.setExportChrome(true));
      try {
        return panels.current.loss?.chart.getConnectedDataURL({ type: 'png', pixelRatio: 2, backgroundColor: readChartTheme().panel }) ?? null;
      } finally {
        all.forEach((p) => p.setExportChrome(false));
      }
    },
  }), [primary, overlays]);

  const layout = useMemo(() => PANELS, []);
  return (
    <div className="charts">
      {layout.map((p) => (
        <div key={p.id} className={`chart-box chart-${p.id}`} data-testid={p.testId}>
          <div className="chart" ref={(el) => { els.current[p.id] = el; }} />
        </div>
      ))}
    </div>
  );
}

function runsExtent(primary: ChartRun, overlays: ChartRun[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of [primary, ...overlays]) {
    const e = r.metrics.extent();
    if (!e) continue;
    lo = Math.min(lo, e[0]);
    hi = Math.max(hi, e[1]);
  }
  return lo <= hi ? [lo, hi] : null;
}

function applyExtent(panel: ChartPanel, primary: ChartRun, overlays: ChartRun[]): void {
  const e = runsExtent(primary, overlays);
  if (e) panel.setExtent(e[0], e[1]);
}
