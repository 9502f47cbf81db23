// Run page: live linked charts of one run (plus overlays), with its facts, controls and alerts beside them.
// History comes from runs.metrics; live points from run.metrics events that arrived meanwhile are merged after it.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { upsertAlert, type Alert } from '../../../shared/alerts.ts';
import type { RunDetail } from '../../../shared/api/index.ts';
import { MetricKey } from '../../../shared/metrics.ts';
import { isActive, isResumable, type RunSummary } from '../../../shared/runs.ts';
import { getClient } from '../api/client.ts';
import { navigate } from '../router.ts';
import { RunCharts, type ChartRun, type RunChartsHandle } from '../charts/RunCharts.tsx';
import { RunMetrics, type WirePoint } from '../charts/run-metrics.ts';
import { GenerationHealth, hasGenerationMetrics } from '../charts/GenerationHealth.tsx';
import { Condensation, hasCondensation } from '../charts/Condensation.tsx';
import { ExpertLoad, expertCount } from '../charts/ExpertLoad.tsx';
import { ComputeKey, flopsPerTokenOf } from '../../../shared/compute.ts';
import { activeParamsOf } from '../../../shared/models/registry.ts';
import { seriesToCsv } from '../charts/csv.ts';
import { configSummaryFields, modelSummary, optimizerSummary } from '../lib/config-view.ts';
import { errorMessage } from '../lib/errors.ts';
import { estimateEtaMs, formatCount, formatDuration, formatValue } from '../lib/format.ts';
import { runDurationMs } from '../lib/runs-table.ts';
import { withLiveMetrics } from '../lib/live-run.ts';
import { useShortcuts } from '../lib/shortcuts.ts';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { AlertsList } from '../components/AlertsList.tsx';
import { download } from '../lib/download.ts';

const OVERLAY_COLORS = ['#e377c2', '#17becf', '#bcbd22', '#ff7f0e', '#9467bd', '#8c564b', '#2ca02c', '#d62728'];
const CSV_KEYS = [MetricKey.trainLoss, MetricKey.valLoss, MetricKey.gradNorm, MetricKey.clipped, MetricKey.lr, MetricKey.tokensPerS, MetricKey.stepMs, MetricKey.tokensSeen];

interface LiveRun {
  metrics: RunMetrics;
  loaded: boolean;
  /** Live points that arrived before the history did. */
  early: WirePoint[];
}

/** Merges points that arrived while the history loaded, skipping what the history already holds. */
function mergeEarly(live: LiveRun): void {
  const fresh = live.early.filter((p) => p.step > live.metrics.get(p.key).lastStep);
  live.early = [];
  live.loaded = true;
  live.metrics.append(fresh);
}

function useStored(key: string, initial: number): [number, (v: number) => void] {
  const [v, setV] = useState(() => {
    const s = Number(localStorage.getItem(key));
    return localStorage.getItem(key) != null && Number.isFinite(s) ? s : initial;
  });
  return [v, (n: number) => { setV(n); localStorage.setItem(key, String(n)); }];
}

export function RunPage({ runId }: { runId: string }): React.JSX.Element {
  const [detail, setDetail] = useState<RunDetail | null>(null);
  const [run, setRun] = useState<RunSummary | null>(null);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [metricsError, setMetricsError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(0);
  const [smoothing, setSmoothing] = useStored('loupe.smoothing', 0.6);
  const [logY, setLogY] = useStored('loupe.logY', 0);
  const [overlays, setOverlays] = useState<ChartRun[]>([]);
  const [overlayError, setOverlayError] = useState<string | null>(null);
  const [otherRuns, setOtherRuns] = useState<RunSummary[]>([]);
  const [, setTick] = useState(0);
  const charts = useRef<RunChartsHandle>(null);
  const live = useRef(new Map<string, LiveRun>());
  const bumpFrame = useRef(0);

  const primaryMetrics = useMemo(() => new RunMetrics(), [runId]);
  const primary: ChartRun = useMemo(() => ({ id: runId, name: run?.name ?? runId, metrics: primaryMetrics, color: '' }), [runId, run?.name, primaryMetrics]);

  // Coalesce live updates into one re-render per frame.
  const bump = useCallback(() => {
    if (bumpFrame.current) return;
    bumpFrame.current = requestAnimationFrame(() => {
      bumpFrame.current = 0;
      setVersion((v) => v + 1);
    });
  }, []);

  const loadMetrics = useCallback(
    (id: string, metrics: RunMetrics): Promise<void> => {
      const entry: LiveRun = { metrics, loaded: false, early: [] };
      live.current.set(id, entry);
      return getClient()
        .call('runs.metrics', { runId: id })
        .then((series) => {
          metrics.loadHistory(series);
          mergeEarly(entry);
          bump();
        });
    },
    [bump],
  );

  // Subscriptions first, then the history, so no point falls between the two.
  useEffect(() => {
    const c = getClient();
    live.current = new Map();
    setDetail(null);
    setRun(null);
    setAlerts([]);
    setLoadError(null);
    setMetricsError(null);
    setOverlays([]);
    const offs = [
      c.on('run.metrics', ({ runId: id, points }) => {
        const entry = live.current.get(id);
        if (!entry) return;
        if (!entry.loaded) {
          // Bounded: if the history never arrives, the error is shown and these are not needed.
          if (entry.early.length < 1_000_000) entry.early.push(...points);
          return;
        }
        entry.metrics.append(points);
        bump();
      }),
      c.on('run.status', ({ run: r }) => {
        if (r.id === runId) setRun(r);
      }),
      c.on('run.alert', ({ runId: id, alert }) => {
        // A merged episode comes back updated: replace it, do not list it again.
        if (id === runId) setAlerts((prev) => upsertAlert(prev, alert));
      }),
    ];
    c.call('runs.get', { runId }).then(
      (d) => {
        setDetail(d);
        setRun((prev) => prev ?? d.run);
        setAlerts(d.alerts);
      },
      (e: unknown) => setLoadError(errorMessage(e)),
    );
    loadMetrics(runId, primaryMetrics).catch((e: unknown) => setMetricsError(errorMessage(e)));
    c.call('runs.list', { includeArchived: false }).then((l) => setOtherRuns(l.filter((r) => r.id !== runId)), () => setOtherRuns([]));
    return () => offs.forEach((off) => off());
  }, [runId, primaryMetrics, loadMetrics, bump]);

  useEffect(() => {
    if (run) document.title = `${run.name} · ${run.status} — Loupe`;
    return () => {
      document.title = 'Loupe';
    };
  }, [run?.name, run?.status]);

  // Elapsed time and ETA tick while the run is active.
  const active = run ? isActive(run.status) : false;
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [active]);

  const act = (name: 'runs.stop' | 'runs.resume'): void => {
    setBusy(true);
    setActionError(null);
    getClient()
      .call(name, { runId })
      .then(setRun, (e: unknown) => setActionError(errorMessage(e)))
      .finally(() => setBusy(false));
  };

  const addOverlay = (id: string): void => {
    const r = otherRuns.find((x) => x.id === id);
    if (!r || overlays.some((o) => o.id === id)) return;
    const used = new Set(overlays.map((o) => o.color));
    const color = OVERLAY_COLORS.find((c) => !used.has(c)) ?? OVERLAY_COLORS[overlays.length % OVERLAY_COLORS.length];
    // Same-named runs (seeds of one baseline) are told apart by the end of their id.
    const taken = new Set([primary.name, ...overlays.map((x) => x.name)]);
    const name = taken.has(r.name) ? `${r.name} #${id.slice(-4)}` : r.name;
    const o: ChartRun = { id, name, metrics: new RunMetrics(), color };
    setOverlayError(null);
    setOverlays((prev) => [...prev, o]);
    loadMetrics(id, o.metrics).catch((e: unknown) => {
      setOverlayError(`${r.name}: ${errorMessage(e)}`);
      setOverlays((prev) => prev.filter((x) => x.id !== id));
    });
  };
  const removeOverlay = (id: string): void => {
    live.current.delete(id);
    setOverlays((prev) => prev.filter((o) => o.id !== id));
  };

  const zoomToAlert = (a: Alert): void => {
    const e = charts.current?.extent();
    const span = e ? e[1] - e[0] : 100;
    const pad = Math.max(10, Math.round(span * 0.03));
    charts.current?.zoomTo(Math.max(e?.[0] ?? 0, a.step - pad), (a.stepEnd ?? a.step) + pad);
  };

  const fileBase = (run?.name ?? runId).replace(/[^\w.-]+/g, '_');
  const exportPng = (): void => {
    const url = charts.current?.pngDataUrl();
    if (url) download(url, `${fileBase}.png`);
  };
  const exportCsv = (): void => {
    const keys = [...new Set([...CSV_KEYS.filter((k) => primaryMetrics.has(k)), ...primaryMetrics.keys().filter((k) => primaryMetrics.has(k))])];
    const csv = seriesToCsv(keys.map((k) => ({ name: k, series: primaryMetrics.get(k) })));
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    download(url, `${fileBase}.csv`);
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  useShortcuts({
    l: { label: 'Toggle log scale', run: () => setLogY(logY ? 0 : 1) },
    '0': { label: 'Reset zoom', run: () => charts.current?.resetZoom() },
    s: {
      label: 'Stop / resume this run',
      run: () => run && !run.external && (isActive(run.status) ? act('runs.stop') : isResumable(run.status) ? act('runs.resume') : undefined),
    },
    e: { label: 'Export charts as PNG', run: exportPng },
    '[': { label: 'Less smoothing', run: () => setSmoothing(Math.max(0, +(smoothing - 0.05).toFixed(2))) },
    ']': { label: 'More smoothing', run: () => setSmoothing(Math.min(0.99, +(smoothing + 0.05).toFixed(2))) },
  });

  const config = detail?.config ?? null;
  const gradClip = config?.train.grad_clip ?? null;
  const gapLimit = config?.alerts.overfit_gap ?? null;
  // `version` re-renders this on every live batch, so the facts follow the stream.
  const facts = run ? withLiveMetrics(run, primaryMetrics) : null;
  const eta = facts ? estimateEtaMs(facts) : null;
  const epochs = primaryMetrics.get(ComputeKey.epochs);
  // A mixture of experts: a token uses (and spends FLOPs on) its active parameters only.
  const activeParams = facts?.params && config ? activeParamsOf(config.model, facts.params) : null;
  const perToken = activeParams && config ? flopsPerTokenOf(activeParams, config.model).total : null;
  const compute =
    facts && perToken !== null
      ? { perToken, total: perToken * facts.tokensSeen, epochs: epochs.length ? epochs.values[epochs.length - 1]! : null }
      : null;
  const noData = version > 0 && !primaryMetrics.has(MetricKey.trainLoss);
  const overlayChoices = otherRuns.filter((r) => !overlays.some((o) => o.id === r.id));

  if (loadError && !run) {
    return (
      <section className="run-page">
        <div className="crumbs"><a href="#/">Runs</a> / {runId}</div>
        <div className="error banner" role="alert">Could not load run {runId}: {loadError}</div>
      </section>
    );
  }

  return (
    <section className="run-page" data-testid="run-page" data-run-id={runId}>
      <div className="run-head">
        <div className="crumbs">
          <a href="#/">Runs</a> / <strong className="run-title">{run?.name ?? runId}</strong>
          {run && <StatusBadge status={run.status} />}
          {run?.groupName && <span className="tag">{run.groupName}</span>}
          {run?.external && <span className="tag" title={`${run.external.kind}: ${run.external.path}`}>external</span>}
          {run?.external?.staleSince != null && run.status === 'running' && <span className="tag warn" title="The run file stopped growing">stale</span>}
        </div>
        <div className="chart-tools">
          <label className="slider" title="Display smoothing (EMA); stored data is never changed. [ and ] adjust it.">
            Smoothing
            <input type="range" min={0} max={0.99} step={0.01} value={smoothing} onChange={(e) => setSmoothing(Number(e.target.value))} aria-label="Smoothing" />
            <span className="mono">{smoothing.toFixed(2)}</span>
          </label>
          <label className="toggle" title="Logarithmic y axis (l)">
            <input type="checkbox" checked={!!logY} onChange={(e) => setLogY(e.target.checked ? 1 : 0)} data-testid="log-y" /> log y
          </label>
          <button className="small ghost" onClick={() => charts.current?.resetZoom()} title="Reset zoom (0)">Reset zoom</button>
          <button className="small ghost" onClick={exportPng} title="Export PNG (e)">PNG</button>
          <button className="small ghost" onClick={exportCsv} title="Export the raw series as CSV" data-testid="export-csv">CSV</button>
        </div>
      </div>
      {run?.error && <div className="error banner" role="alert">{run.error}</div>}
      <div className="run-body">
        <div className="run-main">
          {metricsError && <div className="error banner" role="alert">Could not load metrics: {metricsError}</div>}
          <RunCharts ref={charts} primary={primary} overlays={overlays} version={version} smoothing={smoothing} logY={!!logY} gradClip={gradClip} gapLimit={gapLimit} alerts={alerts} />
          {hasGenerationMetrics(primaryMetrics) && (
            <GenerationHealth metrics={primaryMetrics} version={version} alerts={alerts} seqRepLimit={config?.alerts.collapse_seq_rep ?? null} />
          )}
          {hasGenerationMetrics(primaryMetrics, 'sft') && (
            <GenerationHealth variant="sft" metrics={primaryMetrics} version={version} alerts={alerts} seqRepLimit={config?.alerts.collapse_seq_rep ?? null} />
          )}
          {hasCondensation(primaryMetrics) && <Condensation runId={runId} metrics={primaryMetrics} version={version} />}
          {expertCount(primaryMetrics) > 0 && <ExpertLoad metrics={primaryMetrics} version={version} />}
          {noData && !metricsError && (
            <div className="empty chart-empty">
              {run && isActive(run.status) ? 'Waiting for the first steps… (the model is being built and compiled)' : 'This run has no metrics yet.'}
            </div>
          )}
          <div className="overlay-bar">
            <span className="muted small">Overlay</span>
            {overlays.map((o) => (
              <span key={o.id} className="chip" style={{ borderColor: o.color }}>
                <span className="dot" style={{ background: o.color }} />
                <a href={`#/run/${encodeURIComponent(o.id)}`}>{o.name}</a>
                <button className="x" aria-label={`Remove overlay ${o.name}`} onClick={() => removeOverlay(o.id)}>×</button>
              </span>
            ))}
            <select
              value=""
              onChange={(e) => addOverlay(e.target.value)}
              disabled={!overlayChoices.length}
              aria-label="Add a run to overlay"
              data-testid="overlay-select"
            >
              <option value="">{overlayChoices.length ? '+ add run…' : 'no other runs'}</option>
              {overlayChoices.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name} · {r.status} · best {formatValue(r.bestValLoss)}
                </option>
              ))}
            </select>
            {overlayError && <span className="error small">{overlayError}</span>}
          </div>
        </div>
        <aside className="run-side">
          <div className="panel facts">
            <div className="controls">
              {run && isActive(run.status) && !run.external && (
                <button disabled={busy} onClick={() => act('runs.stop')} data-testid="stop-run" title={run.status === 'queued' ? 'Take it out of the queue (s)' : 'Stop (s)'}>
                  {run.status === 'queued' ? '✕ Cancel' : '■ Stop'}
                </button>
              )}
              {run && isResumable(run.status) && !run.external && (
                <button className="primary" disabled={busy} onClick={() => act('runs.resume')} data-testid="resume-run" title="Resume (s)">▶ Resume</button>
              )}
              <button className="ghost" onClick={() => navigate({ page: 'playground', runId })}>Sample…</button>
              <button className="ghost" onClick={() => navigate({ page: 'editor', baselineId: runId })}>New run from this…</button>
            </div>
            {actionError && <div className="error small" role="alert">{actionError}</div>}
            {facts && (
              <dl className="kv">
                <dt>Progress</dt>
                <dd>
                  {formatCount(facts.steps)} / {formatCount(facts.plannedSteps)} steps
                  <span className="progress wide"><span style={{ width: `${facts.plannedSteps ? Math.min(100, (100 * facts.steps) / facts.plannedSteps) : 0}%` }} /></span>
                </dd>
                <dt>ETA</dt>
                <dd>{eta == null ? '—' : formatDuration(eta)}</dd>
                <dt>Elapsed</dt>
                <dd>{formatDuration(runDurationMs(facts))}</dd>
                <dt>Train loss</dt>
                <dd className="mono">{formatValue(facts.lastTrainLoss)}</dd>
                <dt>Val loss</dt>
                <dd className="mono" data-testid="fact-val">
                  {formatValue(facts.lastValLoss)}
                  {facts.lastValStep !== null && <span className="muted" data-testid="fact-val-step"> @ step {formatCount(facts.lastValStep)}{facts.lastValStep === 0 ? ' (init)' : ''}</span>}
                  <div className="muted small" data-testid="fact-best-val">
                    {facts.bestValLoss === null ? 'best: none yet (no eval after init)' : `best ${formatValue(facts.bestValLoss)} @ step ${formatCount(facts.bestValStep)}`}
                  </div>
                </dd>
                <dt>Model</dt>
                <dd data-testid="fact-model">{config ? modelSummary(config) : '—'}</dd>
                <dt>Optimizer</dt>
                <dd data-testid="fact-optimizer">{config ? optimizerSummary(config) : '—'}</dd>
                <dt>Backend</dt>
                <dd>
                  {facts.backend ?? '—'}
                  {facts.backendReason && <div className="muted small clamp" title={facts.backendReason}>{facts.backendReason}</div>}
                </dd>
                <dt>Parameters</dt>
                <dd data-testid="fact-params">
                  {formatCount(facts.params)}
                  {activeParams !== null && activeParams !== facts.params && ` (${formatCount(activeParams)} active)`}
                </dd>
                <dt>Tokens / update</dt>
                <dd>{formatCount(facts.tokensPerUpdate)}</dd>
                <dt>Tokens seen</dt>
                <dd>{formatCount(facts.tokensSeen)}</dd>
                <dt>Tokens / s</dt>
                <dd>{formatCount(facts.tokensPerS)}</dd>
                {compute && (
                  <>
                    <dt>Compute</dt>
                    <dd data-testid="fact-compute" title="6N + 12·L·d·T training FLOPs per token (N: parameters but the position embedding)">
                      {compute.total.toExponential(2)} FLOPs
                      <div className="muted small">
                        {compute.perToken.toExponential(2)} / token{compute.epochs === null ? '' : ` · ${compute.epochs.toFixed(3)} epochs`}
                      </div>
                    </dd>
                  </>
                )}
                <dt>Seed</dt>
                <dd>{facts.seed}</dd>
              </dl>
            )}
            {run?.hypothesis && <div className="hypothesis"><span className="muted">Hypothesis</span> {run.hypothesis}</div>}
          </div>

          <div className="panel">
            <h3>Alerts {alerts.length > 0 && <span className="count">{alerts.length}</span>}</h3>
            <AlertsList alerts={alerts} onSelect={zoomToAlert} />
          </div>

          <div className="panel">
            <h3>Config</h3>
            {detail?.sourceConfig && !('model' in detail.sourceConfig && 'train' in detail.sourceConfig) ? (
              <dl className="kv config" data-testid="source-config">
                {Object.entries(detail.sourceConfig).slice(0, 40).map(([key, value]) => (
                  <div key={key} className="kv-row" title="as the job logged it">
                    <dt>{key}</dt>
                    <dd className="mono clamp">{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
                  </div>
                ))}
              </dl>
            ) : config ? (
              <dl className="kv config">
                {configSummaryFields
                  .filter(([, , value]) => value(config) !== undefined)
                  .map(([label, path, value]) => (
                    <div key={path} className="kv-row" title={path}>
                      <dt>{label}</dt>
                      <dd className="mono">{String(value(config))}</dd>
                    </div>
                  ))}
              </dl>
            ) : (
              <div className="muted small">{loadError ?? 'Loading…'}</div>
            )}
          </div>
          {run?.notes && (
            <div className="panel">
              <h3>Notes</h3>
              <div className="notes">{run.notes}</div>
            </div>
          )}
        </aside>
      </div>
    </section>
  );
}
