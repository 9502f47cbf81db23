// UI benchmark page (bench.html): the run page's chart component over a synthetic run of N points per series.
// Measures time to first render and the redraw after appending a batch of 100 points; scripts/bench-ui.mjs reads the result.
import { createRoot } from 'react-dom/client';
import { flushSync } from 'react-dom';
import { createRef } from 'react';
import { MetricKey } from '../../../shared/metrics.ts';
import { redrawStats } from '../charts/chart-panel.ts';
import { RunCharts, TRAIN_LINE_ID, type ChartRun, type RunChartsHandle } from '../charts/RunCharts.tsx';
import { RunMetrics, type WirePoint } from '../charts/run-metrics.ts';
import { syntheticRun } from './synthetic.ts';
import '../styles.css';

export interface BenchResult {
  points: number;
  series: number;
  firstRenderMs: number;
  redraw: { batch: number; full: Stats; zoomed: Stats };
  frames: Stats;
  plottedTrainPoints: number;
  /** Mean per redraw of all panels at full view: LOD + data arrays, and ECharts update + paint. */
  split: { lodMs: number; echartsMs: number };
  /** Panels (of 4) that needed an ECharts update per batch at full view; the rest drew the same picture. */
  panelUpdatesPerBatch: number;
}
interface Stats { min: number; median: number; p95: number; max: number; n: number }

declare global {
  interface Window {
    /** Set by scripts/bench-ui.mjs: records Chromium's CPU time at phase boundaries. */
    __mark?: (name: string) => Promise<void>;
    __benchResult?: BenchResult;
    __benchError?: string;
  }
}

const frame = (): Promise<number> => new Promise((r) => requestAnimationFrame(r));
function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { min: s[0], median: q(0.5), p95: q(0.95), max: s[s.length - 1], n: s.length };
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const n = Number(params.get('n') ?? 1_000_000);
  const batches = Number(params.get('batches') ?? 60);
  const batch = 100;
  const history = syntheticRun(n);
  document.documentElement.dataset.theme = 'dark';
  const host = document.getElementById('root')!;
  host.style.width = `${Number(params.get('w') ?? 1400)}px`;
  host.style.padding = '12px';
  await frame();

  // First render: from the runs.metrics result (plain arrays) to painted charts.
  const t0 = performance.now();
  const metrics = new RunMetrics();
  metrics.loadHistory(history);
  const run: ChartRun = { id: 'bench', name: 'bench', metrics, color: '' };
  const handle = createRef<RunChartsHandle>();
  const root = createRoot(host);
  const render = (version: number): void =>
    root.render(<RunCharts ref={handle} primary={run} overlays={[]} version={version} smoothing={0.6} logY={false} gradClip={1} alerts={[]} />);
  flushSync(() => render(1));
  await frame();
  await frame();
  const firstRenderMs = performance.now() - t0;

  let step = metrics.get(MetricKey.trainLoss).lastStep;
  const nextBatch = (): WirePoint[] => {
    const pts: WirePoint[] = [];
    for (let i = 0; i < batch; i++) {
      step++;
      pts.push({ step, key: MetricKey.trainLoss, value: 1.4 + 0.08 * Math.random() });
      pts.push({ step, key: MetricKey.gradNorm, value: 0.4 + 0.1 * Math.random() });
      pts.push({ step, key: MetricKey.lr, value: 1e-4 });
      pts.push({ step, key: MetricKey.tokensPerS, value: 9000 + 400 * Math.random() });
    }
    return pts;
  };

  // Redraw after a batch: append 100 points to each of the 4 series, then LOD + setOption + paint of all 4 panels.
  const timeRedraws = async (phase: string): Promise<number[]> => {
    const out: number[] = [];
    await frame();
    await window.__mark?.(`${phase}:start`);
    for (let b = 0; b < batches; b++) {
      const pts = nextBatch();
      const t = performance.now();
      metrics.append(pts);
      handle.current!.redrawNow();
      out.push(performance.now() - t);
      await frame();
    }
    await window.__mark?.(`${phase}:end`);
    return out;
  };
  // Idle frames (nothing changes): the CPU baseline the per-batch CPU figures include.
  await frame();
  await window.__mark?.('idle:start');
  for (let f = 0; f < batches; f++) await frame();
  await window.__mark?.('idle:end');
  Object.assign(redrawStats, { lodMs: 0, echartsMs: 0, count: 0, updates: 0 });
  const full = await timeRedraws('full');
  const split = { lodMs: redrawStats.lodMs / batches, echartsMs: redrawStats.echartsMs / batches };
  const panelUpdatesPerBatch = redrawStats.updates / batches;
  const plottedTrainPoints = handle.current!.plotted('loss', TRAIN_LINE_ID);
  // The last 5%, following the live edge (an end past the data clamps to the axis end).
  handle.current!.zoomTo(step - n * 0.05, step + n);
  await frame();
  const zoomed = await timeRedraws('zoomed');
  handle.current!.resetZoom();
  await frame();

  // The live path end to end: a batch per frame through React; frame intervals tell whether it keeps 60 fps.
  const intervals: number[] = [];
  let last = await frame();
  await window.__mark?.('live:start');
  for (let f = 0; f < batches; f++) {
    metrics.append(nextBatch());
    render(metrics.version);
    const now = await frame();
    intervals.push(now - last);
    last = now;
  }
  await window.__mark?.('live:end');

  const result: BenchResult = {
    points: n, series: 4, firstRenderMs, redraw: { batch, full: stats(full), zoomed: stats(zoomed) }, frames: stats(intervals), plottedTrainPoints, split, panelUpdatesPerBatch,
  };
  window.__benchResult = result;
  const pre = document.createElement('pre');
  pre.id = 'bench-result';
  pre.textContent = JSON.stringify(result, null, 2);
  document.body.appendChild(pre);
}

main().catch((e: unknown) => {
  window.__benchError = e instanceof Error ? (e.stack ?? e.message) : String(e);
});
