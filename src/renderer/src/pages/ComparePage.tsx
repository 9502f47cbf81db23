// Compare: pick runs or groups, and see whether each differs from the baseline by more than seed noise — Δ bars with
// error bars and the noise band, Welch verdicts, curves, each row's config diff, and PNG/CSV export, for any metric.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { compareTableToCsv } from '../../../shared/ablation/index.ts';
import type { CompareAt } from '../../../shared/ablation/index.ts';
import { comparedSummary, DEFAULT_COMPARE_KEY, describeAt, higherIsBetter } from '../../../shared/ablation/index.ts';
import type { BaselineRefParam, CompareResult, GroupInfo } from '../../../shared/api/index.ts';
import { isActive, type RunSummary } from '../../../shared/runs.ts';
import { getClient } from '../api/client.ts';
import { navigate } from '../router.ts';
import { CompareCharts, type CompareChartsHandle } from '../compare/CompareCharts.tsx';
import { ArchitectureStudy } from '../compare/ArchitectureStudy.tsx';
import {
  baselineChoices, curveLines, describeChange, formatDelta, formatMeanStd, formatP, parseSelection, rowColorMap, selectionIds, toggleInSelection,
  type Selection,
} from '../compare/compare-model.ts';
import { errorMessage } from '../lib/errors.ts';
import { formatValue } from '../lib/format.ts';
import '../compare/compare.css';
import { download } from '../lib/download.ts';

type BaselineChoice = 'auto' | string;

/** "run:<id>" / "group:<name>" in the baseline select; "auto" lets the server pick the linked baseline. */
function baselineParam(choice: BaselineChoice): BaselineRefParam | undefined {
  if (choice.startsWith('run:')) return { runId: choice.slice(4) };
  if (choice.startsWith('group:')) return { group: choice.slice(6) };
  return undefined;
}

export function ComparePage({ ids }: { ids: string[] }): React.JSX.Element {
  const selection = useMemo(() => parseSelection(ids), [ids.join(',')]);
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [groups, setGroups] = useState<GroupInfo[]>([]);
  const [baseline, setBaseline] = useState<BaselineChoice>('auto');
  const [metric, setMetric] = useState<string>(DEFAULT_COMPARE_KEY);
  const [at, setAt] = useState<CompareAt>('final');
  const [result, setResult] = useState<CompareResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const charts = useRef<CompareChartsHandle>(null);
  const seq = useRef(0);
  const empty = selection.runIds.length === 0 && selection.groups.length === 0;

  const loadLists = useCallback(() => {
    const c = getClient();
    c.call('runs.list', { includeArchived: false }).then(setRuns, () => setRuns([]));
    c.call('ablation.groups', { includeArchived: false }).then(setGroups, () => setGroups([]));
  }, []);

  const compare = useCallback(() => {
    const mine = ++seq.current;
    if (empty) {
      setResult(null);
      setError(null);
      return;
    }
    setLoading(true);
    const b = baselineParam(baseline);
    getClient()
      .call('ablation.compare', {
        ...(selection.runIds.length ? { runIds: selection.runIds } : {}),
        ...(selection.groups.length ? { groups: selection.groups } : {}),
        ...(b ? { baseline: b } : {}),
        metric,
        at,
        curveKeys: [metric],
      })
      .then(
        (r) => {
          if (mine !== seq.current) return;
          setResult(r);
          setError(null);
        },
        (e: unknown) => {
          if (mine !== seq.current) return;
          setResult(null);
          setError(errorMessage(e));
        },
      )
      .finally(() => mine === seq.current && setLoading(false));
  }, [selection, baseline, metric, at, empty]);

  useEffect(loadLists, [loadLists]);
  useEffect(compare, [compare]);

  // Runs of a sweep finish one after another: the sidebar follows every status change, the table those of the runs it
  // compares; both at most once a second.
  const compareRef = useRef(compare);
  compareRef.current = compare;
  const watched = useRef(new Set<string>());
  watched.current = new Set([...(result?.runs.map((r) => r.id) ?? []), ...selection.runIds]);
  useEffect(() => {
    let timer = 0;
    let again = false;
    const later = (withTable: boolean): void => {
      again ||= withTable;
      if (timer) return;
      timer = window.setTimeout(() => {
        timer = 0;
        if (again) compareRef.current();
        again = false;
        loadLists();
      }, 1000);
    };
    const c = getClient();
    const offs = [
      c.on('run.status', ({ run }) => later(watched.current.has(run.id) || (run.groupName !== null && selection.groups.includes(run.groupName)))),
      c.on('ablation.sweep', () => later(false)),
    ];
    return () => {
      offs.forEach((off) => off());
      window.clearTimeout(timer);
    };
  }, [selection, loadLists]);

  const setSelection = (s: Selection): void => navigate({ page: 'compare', ids: selectionIds(s) });
  const table = result?.table ?? null;
  const colors = useMemo(() => (table ? rowColorMap(table) : new Map<string, string>()), [table]);
  const curves = useMemo(() => (result ? curveLines(result.runs, result.curves, colors, result.table.metric) : []), [result, colors]);
  const metricKeys = useMemo(() => [...new Set([DEFAULT_COMPARE_KEY, metric, ...(result?.metricKeys ?? [])])].sort(), [result, metric]);
  const pending = result?.runs.filter((r) => isActive(r.status)).length ?? 0;
  const failed = result?.runs.filter((r) => r.status === 'failed' || r.status === 'crashed') ?? [];
  const fileBase = `compare-${new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-')}`;

  const exportCsv = (): void => {
    if (!table) return;
    const url = URL.createObjectURL(new Blob([compareTableToCsv(table)], { type: 'text/csv' }));
    download(url, `${fileBase}.csv`);
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  const exportPng = (which: 'bars' | 'curves'): void => {
    const url = which === 'bars' ? charts.current?.barsPng() : charts.current?.curvesPng();
    if (url) download(url, `${fileBase}-${which}.png`);
  };

  const baselineOptions = useMemo(
    () => baselineChoices(selection, groups, runs, (result?.runs ?? []).map((r) => ({ id: r.id, name: r.name, groupName: r.group }))),
    [selection, groups, runs, result],
  );
  // A choice that left the selection (its group unticked) falls back to the linked baseline.
  const baselineValid = baseline === 'auto' || baselineOptions.some((o) => o.value === baseline && !o.disabled);
  useEffect(() => {
    if (!baselineValid && baselineOptions.length > 0) setBaseline('auto');
  }, [baselineValid, baselineOptions.length]);

  return (
    <section className="compare-page" data-testid="compare-page">
      <div className="run-head">
        <div className="crumbs"><a href="#/">Runs</a> / <strong>Compare</strong></div>
        <div className="chart-tools">
          <label className="toggle">
            Metric
            <select value={metric} onChange={(e) => setMetric(e.target.value)} aria-label="Metric" data-testid="compare-metric">
              {metricKeys.map((k) => (
                <option key={k} value={k}>{k}</option>
              ))}
            </select>
          </label>
          <label className="toggle">
            At
            <select
              value={typeof at === 'number' ? 'step' : at}
              onChange={(e) => setAt(e.target.value === 'step' ? 0 : (e.target.value as 'final' | 'best'))}
              aria-label="Value compared"
              data-testid="compare-at"
            >
              <option value="final">final</option>
              <option value="best">best ({higherIsBetter(metric) ? 'highest' : 'lowest'})</option>
              <option value="step">at step…</option>
            </select>
          </label>
          {typeof at === 'number' && (
            <input
              type="number"
              min={0}
              step={1}
              value={at}
              onChange={(e) => setAt(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
              aria-label="Step"
              data-testid="compare-at-step"
              className="step-input"
            />
          )}
          <label className="toggle">
            Baseline
            <select value={baseline} onChange={(e) => setBaseline(e.target.value)} aria-label="Baseline" data-testid="compare-baseline">
              <option value="auto">the linked baseline</option>
              {baselineOptions.map((o) => (
                <option key={o.value} value={o.value} disabled={Boolean(o.disabled)} title={o.disabled}>{o.label}</option>
              ))}
            </select>
          </label>
          <button className="small ghost" disabled={!table} onClick={() => exportPng('bars')}>PNG bars</button>
          <button className="small ghost" disabled={!table} onClick={() => exportPng('curves')}>PNG curves</button>
          <button className="small ghost" disabled={!table} onClick={exportCsv} data-testid="export-csv">CSV</button>
        </div>
      </div>

      <div className="compare-body">
        <aside className="compare-pick panel">
          <h3>Groups</h3>
          {groups.length === 0 && <div className="muted small">No groups yet. Launch a sweep from the config editor.</div>}
          {groups.map((g) => (
            <label key={g.name} className="pick" title={g.variedFields.length ? `varies ${g.variedFields.join(', ')}` : undefined}>
              <input
                type="checkbox"
                checked={selection.groups.includes(g.name)}
                onChange={(e) => setSelection(toggleInSelection(selection, 'group', g.name, e.target.checked))}
                data-testid="pick-group"
                data-group={g.name}
              />
              <span className="pick-name">{g.name}</span>
              <span className="muted small">{g.runCount} runs{g.done ? '' : ' · running'}</span>
            </label>
          ))}
          <h3>Runs</h3>
          {runs.length === 0 && <div className="muted small">No runs yet.</div>}
          {runs.map((r) => (
            <label key={r.id} className="pick">
              <input
                type="checkbox"
                checked={selection.runIds.includes(r.id)}
                onChange={(e) => setSelection(toggleInSelection(selection, 'run', r.id, e.target.checked))}
                data-testid="pick-run"
                data-run-id={r.id}
              />
              <span className="pick-name">{r.name}</span>
              <span className="muted small">{r.groupName ? `${r.groupName} · ` : ''}{r.status} · {formatValue(r.bestValLoss)}</span>
            </label>
          ))}
        </aside>

        <div className="compare-main">
          <ArchitectureStudy />
          {empty && (
            <div className="empty-state" data-testid="compare-empty">
              <h2>Nothing selected</h2>
              <p>Pick runs or groups on the left (or tick runs in the <a href="#/">runs table</a>). Each row is compared with the baseline on the chosen metric: Δ, and whether it is bigger than seed noise.</p>
            </div>
          )}
          {error && (
            <div className="error banner" role="alert" data-testid="compare-error">
              {error}
              {baseline === 'auto' && baselineOptions.some((o) => !o.disabled) && (
                <div className="small">Choose the baseline in the Baseline menu above: any ticked run, or one variant of a sweep (its seeds come with it).</div>
              )}
            </div>
          )}
          {loading && !table && <div className="empty">Comparing…</div>}
          {table && (
            <>
              <div className="compare-status small" data-testid="compare-status" data-pending={pending} data-failed={failed.length}>
                {result!.runs.length} runs in {table.rows.length} rows
                {pending > 0 && <span className="warn-text"> · {pending} still queued or running: the table updates as they finish</span>}
                {failed.length > 0 && <span className="error"> · {failed.length} failed or crashed ({failed.map((r) => r.name).join(', ')})</span>}
                {table.noiseBand ? (
                  <span className="muted"> · noise band: baseline mean ± {table.noiseBand.sigmas}σ over {table.noiseBand.n} seeds ({table.noiseBand.lower.toFixed(4)} – {table.noiseBand.upper.toFixed(4)})</span>
                ) : (
                  <span className="muted"> · no noise band: the baseline has fewer than 2 seeds</span>
                )}
              </div>
              {table.warnings.length > 0 && (
                <ul className="warn-box small compare-warnings">
                  {table.warnings.map((w) => <li key={w}>{w}</li>)}
                </ul>
              )}
              <CompareCharts ref={charts} table={table} curves={curves} />
              <table className="compare-table" data-testid="compare-table">
                <thead>
                  <tr>
                    <th />
                    <th>Run / group</th>
                    <th className="num">n</th>
                    <th className="num">Final (mean ± std)</th>
                    <th className="num">Δ final</th>
                    <th className="num">Best (mean ± std)</th>
                    <th className="num">Δ best</th>
                    {typeof table.at === 'number' && <th className="num">At step {table.at}</th>}
                    {typeof table.at === 'number' && <th className="num">Δ @{table.at}</th>}
                    <th className="num">p (Welch)</th>
                    <th>Verdict</th>
                    <th>Config vs baseline</th>
                  </tr>
                </thead>
                <tbody>
                  {table.rows.map((row) => (
                    <tr
                      key={row.key}
                      data-testid="compare-row"
                      data-label={row.label}
                      data-verdict={row.verdict}
                      data-delta={comparedSummary(row, table.at).delta ?? ''}
                      data-std={comparedSummary(row, table.at).std ?? ''}
                      className={row.isBaseline ? 'baseline' : undefined}
                      title={row.explanation}
                    >
                      <td><span className="dot" style={{ background: colors.get(row.key) }} /></td>
                      <td>
                        {row.runIds.length === 1 ? <a href={`#/run/${encodeURIComponent(row.runIds[0])}`}>{row.label}</a> : row.label}
                        {row.isBaseline && <span className="tag">baseline</span>}
                        <div className="muted small">seeds {row.seeds.join(', ')}</div>
                      </td>
                      <td className="num">{comparedSummary(row, table.at).values.length}</td>
                      <td className="num mono">{formatMeanStd(row.final.mean, row.final.std)}</td>
                      <td className="num mono" data-testid="delta-final">{row.isBaseline ? '' : formatDelta(row.final.delta)}</td>
                      <td className="num mono">{formatMeanStd(row.best.mean, row.best.std)}</td>
                      <td className="num mono">{row.isBaseline ? '' : formatDelta(row.best.delta)}</td>
                      {row.atStep && <td className="num mono" data-testid="at-step">{formatMeanStd(row.atStep.mean, row.atStep.std)}</td>}
                      {row.atStep && <td className="num mono">{row.isBaseline ? '' : formatDelta(row.atStep.delta)}</td>}
                      <td className="num mono">{row.isBaseline ? '' : formatP(row.p)}</td>
                      <td>
                        <span className={`verdict v-${row.verdict.replace(/\s+/g, '-')}`} data-testid="verdict">{row.verdict}</span>
                        {row.inNoiseBand !== null && <div className="muted small">{row.inNoiseBand ? 'inside' : 'outside'} the noise band</div>}
                      </td>
                      <td className="changes-cell mono small">
                        {row.isBaseline ? <span className="muted">—</span> : row.changes.length === 0 ? <span className="muted">same config</span> : row.changes.map((c) => <div key={c.path}>{describeChange(c)}</div>)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="muted small">
                Δ: mean minus the baseline mean{/(^|\/)loss$/.test(table.metric) ? ', in nats' : ''} ({table.higherIsBetter ? 'positive' : 'negative'} is better).
                Significant: Welch t-test p &lt; {table.alpha} over seeds on the {describeAt(table.at)} {table.metric}.
                Rows with a single run need more seeds before a verdict.
              </div>
            </>
          )}
        </div>
      </div>
    </section>
  );
}
