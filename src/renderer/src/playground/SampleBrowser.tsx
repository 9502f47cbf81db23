// Stored samples, newest first, filterable by run and paged by time; choosing one opens it in the output view.
import { useCallback, useEffect, useState } from 'react';
import type { Sample, SampleableRun } from '../../../shared/api/samples.ts';
import { getClient } from '../api/client.ts';
import { errorMessage } from '../lib/errors.ts';
import { MetricsPanel } from './MetricsPanel.tsx';
import { SampleOutput } from './SampleOutput.tsx';
import { useVocabSize } from './use-playground-data.ts';

const PAGE = 50;

/** "14:27" today, "Dec 1 14:27" otherwise: the list needs its width for the prompt and metrics. */
function shortTime(ms: number): string {
  const d = new Date(ms);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return d.toDateString() === new Date().toDateString() ? time : `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}`;
}

export function SampleBrowser({ runs, onOpen }: { runs: SampleableRun[]; onOpen: (s: Sample) => void }): React.JSX.Element {
  const [runId, setRunId] = useState('');
  const [samples, setSamples] = useState<Sample[]>([]);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Sample | null>(null);
  const vocabSize = useVocabSize(selected?.runId ?? null);

  const load = useCallback(
    (before?: number) => {
      getClient()
        .call('samples.list', { runId: runId || undefined, limit: PAGE, before })
        .then(
          (page) => {
            setSamples((prev) => (before === undefined ? page : [...prev, ...page]));
            setMore(page.length === PAGE);
            setError(null);
          },
          (e: unknown) => setError(errorMessage(e)),
        );
    },
    [runId],
  );
  useEffect(() => load(), [load]);

  return (
    <div className="pg-browse" data-testid="sample-browser">
      <div className="toolbar">
        <select value={runId} onChange={(e) => setRunId(e.target.value)} aria-label="Filter by run">
          <option value="">All runs</option>
          {runs.map((r) => (
            <option key={r.runId} value={r.runId}>{r.runName}</option>
          ))}
        </select>
        <button className="small ghost" onClick={() => load()}>Refresh</button>
        {error && <span className="error small">{error}</span>}
      </div>
      <div className="pg-browse-body">
        <div className="table-wrap pg-browse-list">
          {samples.length === 0 ? (
            <div className="empty" style={{ padding: 16 }}>No stored samples{runId ? ' for this run' : ''} yet. Everything generated here is kept.</div>
          ) : (
            <table className="runs-table">
              <thead>
                <tr><th>When</th><th>Checkpoint</th><th>Prompt</th><th className="num">seq-rep-4</th><th>Loop</th><th className="num">Keywords</th></tr>
              </thead>
              <tbody>
                {samples.map((s) => (
                  <tr key={s.id} onClick={() => setSelected(s)} className={selected?.id === s.id ? 'pg-selected' : undefined} data-testid="stored-sample">
                    <td title={new Date(s.createdAt).toLocaleString()}>{shortTime(s.createdAt)}</td>
                    <td>{s.runName} @ {s.step}</td>
                    <td className="pg-prompt-cell" title={s.prompt}>{s.prompt}</td>
                    <td className="num">{(s.diagnostics.seqRep[4] * 100).toFixed(0)}%</td>
                    <td>{s.diagnostics.loop ? `p${s.diagnostics.loop.period}` : '—'}</td>
                    <td className="num">{s.diagnostics.keyword ? `${(s.diagnostics.keyword.score * 100).toFixed(0)}%` : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {more && (
            <button className="small ghost" onClick={() => load(samples[samples.length - 1]?.createdAt)}>Load older…</button>
          )}
        </div>
        {selected && (
          <div className="panel pg-browse-detail">
            <div className="pg-detail-head">
              <strong>{selected.runName} @ step {selected.step}</strong>
              <span className="muted small">
                {selected.settings.temperature === 0 ? 'greedy' : `T ${selected.settings.temperature}`} · seed {selected.settings.seed} · {selected.finish}
              </span>
              <span className="spacer" />
              <button className="small" onClick={() => onOpen(selected)}>Open in prompt box</button>
            </div>
            <SampleOutput
              prompt={selected.prompt}
              text={selected.text}
              pieces={selected.pieces}
              entropies={selected.entropies}
              diagnostics={selected.diagnostics}
              memorizedSource={selected.memorizedSource}
              streaming={false}
              vocabSize={vocabSize}
            />
            <MetricsPanel diagnostics={selected.diagnostics} />
          </div>
        )}
      </div>
    </div>
  );
}
