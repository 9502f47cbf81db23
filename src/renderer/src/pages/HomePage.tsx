// Home / Runs: the Run baseline button, the runs table (live), and what this Loupe runs on.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { AppInfo } from '../../../shared/api/index.ts';
import { getClient } from '../api/client.ts';
import { navigate } from '../router.ts';
import { useRuns } from '../hooks/useRuns.ts';
import { runBaseline, runFineTune } from '../lib/actions.ts';
import { errorMessage } from '../lib/errors.ts';
import { filterRuns, queuePositions, sortRuns, type Sort } from '../lib/runs-table.ts';
import { useShortcuts } from '../lib/shortcuts.ts';
import { RunsTable } from '../components/RunsTable.tsx';
import { WatchRunForm } from '../components/WatchRun.tsx';

const SORT_KEY = 'loupe.runs.sort';

/** Run lengths offered next to Run baseline, as fractions of the recipe (warmup and cadence rescale with them). */
const BASELINE_LENGTHS = [
  { scale: 1, label: 'full length' },
  { scale: 0.5, label: '½ length' },
  { scale: 0.25, label: '¼ length' },
  { scale: 0.05, label: '1/20 length (quick)' },
];

function loadSort(): Sort {
  try {
    const s = JSON.parse(localStorage.getItem(SORT_KEY) ?? '') as Sort;
    if (s && typeof s.key === 'string' && (s.dir === 'asc' || s.dir === 'desc')) return s;
  } catch {
    // no saved sort yet
  }
  return { key: 'startedAt', dir: 'desc' };
}

export function HomePage(): React.JSX.Element {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [infoError, setInfoError] = useState<string | null>(null);
  const [showArchived, setShowArchived] = useState(false);
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<Sort>(loadSort);
  const [starting, setStarting] = useState(false);
  const [lengthScale, setLengthScale] = useState(1);
  const [startError, setStartError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [watchOpen, setWatchOpen] = useState(false);
  const filterRef = useRef<HTMLInputElement>(null);
  const { runs, loading, error, apply, reload } = useRuns(showArchived);

  useEffect(() => {
    getClient()
      .call('app.info', {})
      .then(setInfo, (e: unknown) => setInfoError(errorMessage(e)));
  }, []);
  useEffect(() => localStorage.setItem(SORT_KEY, JSON.stringify(sort)), [sort]);

  const shown = useMemo(() => sortRuns(filterRuns(runs, query), sort), [runs, query, sort]);
  const queue = useMemo(() => queuePositions(runs), [runs]);
  const start = (): void => {
    setStarting(true);
    setStartError(null);
    void runBaseline(lengthScale).then((err) => {
      setStarting(false);
      setStartError(err);
    });
  };
  const compareIds = [...selected].filter((id) => runs.some((r) => r.id === id));

  useShortcuts({
    b: { label: 'Run baseline', run: start },
    '/': { label: 'Filter runs', run: () => filterRef.current?.focus() },
    a: { label: 'Show / hide archived runs', run: () => setShowArchived((v) => !v) },
  });

  return (
    <section className="home">
      <div className="home-head">
        <div>
          <h1>Runs</h1>
          <div className="muted small">Train a small GPT from scratch on this machine and watch it learn.</div>
        </div>
        <div className="head-actions">
          <button className="ghost" onClick={() => setWatchOpen((v) => !v)} data-testid="watch-run" title="Follow a run file written by a PyTorch job">
            Watch a run…
          </button>
          <button className="ghost" onClick={() => navigate({ page: 'editor', baselineId: null })} title="New run from a config (n)">
            New run…
          </button>
          <select
            value={lengthScale}
            onChange={(e) => setLengthScale(Number(e.target.value))}
            aria-label="Baseline run length"
            title="Run length: warmup, eval and checkpoint cadence scale with it"
            data-testid="baseline-length"
          >
            {BASELINE_LENGTHS.map((l) => <option key={l.scale} value={l.scale}>{l.label}</option>)}
          </select>
          <button
            className="ghost"
            data-testid="finetune-baseline"
            disabled={starting}
            onClick={() => {
              setStarting(true);
              setStartError(null);
              void runFineTune().then((err) => {
                setStarting(false);
                setStartError(err);
              });
            }}
            title="Fine-tune the newest finished baseline on the built-in question–answer set, with collapse measured at every eval"
          >
            Fine-tune baseline
          </button>
          <button className="primary big" data-testid="run-baseline" disabled={starting} onClick={start} title="Train the default baseline now (b)">
            {starting ? 'Starting…' : '▶ Run baseline'}
            <kbd>b</kbd>
          </button>
        </div>
      </div>
      {startError && <div className="error banner" role="alert">Could not start the baseline: {startError}</div>}
      {watchOpen && <WatchRunForm onClose={() => setWatchOpen(false)} />}

      <div className="toolbar">
        <input
          ref={filterRef}
          className="filter"
          type="search"
          placeholder="Filter runs — name, status, notes…  ( / )"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => e.key === 'Escape' && (e.currentTarget.blur(), setQuery(''))}
          aria-label="Filter runs"
        />
        <label className="toggle">
          <input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} data-testid="show-archived" />
          Show archived
        </label>
        <span className="spacer" />
        {compareIds.length >= 2 && (
          <button className="small" onClick={() => navigate({ page: 'compare', ids: compareIds })}>
            Compare {compareIds.length} runs
          </button>
        )}
        <span className="muted small">{shown.length === runs.length ? `${runs.length} run${runs.length === 1 ? "" : "s"}` : `${shown.length} of ${runs.length} runs`}</span>
      </div>

      {error && <div className="error banner" role="alert">Could not load runs: {error}</div>}
      {!error && !loading && runs.length === 0 && (
        <div className="empty-state" data-testid="runs-empty">
          <h2>No runs yet</h2>
          <p>
            Press <strong>Run baseline</strong> (or <kbd>b</kbd>) to train the default GPT on Moby-Dick. The run page opens and its loss
            curve goes live within seconds.
          </p>
          <p className="muted">Later: change one thing in the config editor, run it over seeds, and compare against the baseline.</p>
        </div>
      )}
      {runs.length > 0 && shown.length === 0 && <div className="empty">No run matches “{query}”.</div>}
      {shown.length > 0 && (
        <div className="table-wrap">
          <RunsTable
            runs={shown}
            queue={queue}
            sort={sort}
            onSort={setSort}
            onChanged={apply}
            onDeleted={reload}
            selected={selected}
            onSelect={(id, on) =>
              setSelected((prev) => {
                const next = new Set(prev);
                if (on) next.add(id);
                else next.delete(id);
                return next;
              })
            }
          />
        </div>
      )}

      {infoError && <div className="error banner">Could not reach Loupe: {infoError}</div>}
      {info && <AppInfoPanel info={info} />}
    </section>
  );
}

export function AppInfoPanel({ info }: { info: AppInfo }): React.JSX.Element {
  return (
    <div className="panel app-info" data-testid="app-info">
      <div className="app-info-line">
        Loupe {info.version} · TF.js <span data-testid="tfjs-version">{info.tfjsVersion}</span> · Node {info.node} · {info.platform} ·{' '}
        {info.transport === 'ipc' ? 'desktop' : 'browser mode'}
      </div>
      <ul className="backends">
        {info.backends.map((b) => (
          <li key={b.name} className={b.available ? 'ok' : 'off'} data-testid={`backend-${b.name}`}>
            <span className="dot" />
            <strong>{b.name}</strong> {b.available ? 'available' : 'unavailable'} <span className="muted">— {b.detail}</span>
            {b.adapter != null && (
              <div className="muted small" data-testid={`backend-${b.name}-adapter`}>
                adapter: {b.adapter}
              </div>
            )}
          </li>
        ))}
      </ul>
      <div className="muted small">Data: {info.dataDir}</div>
    </div>
  );
}
