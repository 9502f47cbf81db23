// Config editor: a new run from a baseline's resolved config. Monaco YAML with the config schema, the diff against the
// baseline, every changed field with the one-variable warning, a name from the diff, the live recipe readout, and launch.
import { useEffect, useMemo, useRef, useState } from 'react';
import { experimentalChanges } from '../../../shared/ablation/index.ts';
import type { BaseConfigResult } from '../../../shared/api/index.ts';
import type { RunConfig } from '../../../shared/config.ts';
import type { RunSummary } from '../../../shared/runs.ts';
import { getClient } from '../api/client.ts';
import { navigate } from '../router.ts';
import { ConfigEditors, type ConfigEditorsHandle } from '../editor/ConfigEditors.tsx';
import { SweepLauncher } from '../editor/SweepLauncher.tsx';
import { baselineConfig, budgetReadout, evaluateCandidate, formatChangeValue, issueMessage, readout, setRunLengthText, type CandidateEvaluation } from '../editor/editor-model.ts';
import { configWarnings } from '../../../shared/config-warnings.ts';
import { runLengthFollowers } from '../../../shared/ablation/index.ts';
import { errorMessage } from '../lib/errors.ts';
import { formatValue } from '../lib/format.ts';
import { useThemeName } from '../lib/theme.ts';
import '../editor/editor.css';

interface Base {
  runId: string | null;
  name: string;
  config: RunConfig;
  yaml: string;
}

function toBase(r: BaseConfigResult): Base | string {
  const resolved = baselineConfig(r.config);
  return resolved.ok ? { runId: r.runId, name: r.name, config: resolved.config, yaml: r.yaml } : resolved.error;
}

export function EditorPage({ baselineId }: { baselineId: string | null }): React.JSX.Element {
  const [base, setBase] = useState<Base | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [runs, setRuns] = useState<RunSummary[]>([]);

  useEffect(() => {
    setBase(null);
    setLoadError(null);
    getClient()
      .call('ablation.baseConfig', baselineId ? { runId: baselineId } : {})
      .then((r) => {
        const b = toBase(r);
        if (typeof b === 'string') setLoadError(b);
        else setBase(b);
      }, (e: unknown) => setLoadError(errorMessage(e)));
  }, [baselineId]);
  useEffect(() => {
    getClient()
      .call('runs.list', { includeArchived: false })
      .then(setRuns, () => setRuns([]));
  }, []);

  return (
    <section className="editor-page" data-testid="editor-page">
      <div className="run-head">
        <div className="crumbs">
          <a href="#/">Runs</a> / <strong>New run</strong>
          <span className="muted">from</span>
          <select
            value={baselineId ?? ''}
            onChange={(e) => navigate({ page: 'editor', baselineId: e.target.value || null })}
            aria-label="Baseline"
            data-testid="baseline-select"
          >
            <option value="">the default recipe</option>
            {baselineId && !runs.some((r) => r.id === baselineId) && <option value={baselineId}>{base?.name ?? baselineId}</option>}
            {runs.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} · {r.status} · best {formatValue(r.bestValLoss)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {loadError && <div className="error banner" role="alert">Could not load the baseline: {loadError}</div>}
      {!base && !loadError && <div className="empty">Loading the baseline config…</div>}
      {base && <CandidateEditor key={base.runId ?? 'defaults'} base={base} past={runs} />}
    </section>
  );
}

function CandidateEditor({ base, past }: { base: Base; past: readonly RunSummary[] }): React.JSX.Element {
  const dark = useThemeName() === 'dark';
  const editors = useRef<ConfigEditorsHandle | null>(null);
  const [lengthInput, setLengthInput] = useState('');
  const [text, setText] = useState(base.yaml);
  const [evaluation, setEvaluation] = useState<CandidateEvaluation>(() => evaluateCandidate(base.config, base.yaml));
  const [name, setName] = useState('');
  const [nameEdited, setNameEdited] = useState(false);
  const [hypothesis, setHypothesis] = useState('');
  const [busy, setBusy] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const timer = useRef(0);

  // Parse and review off the keystroke path: once typing pauses for a moment.
  useEffect(() => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setEvaluation(evaluateCandidate(base.config, text)), 120);
    return () => window.clearTimeout(timer.current);
  }, [text, base.config]);

  const review = evaluation.ok ? evaluation.review : null;
  useEffect(() => {
    if (!nameEdited && review) setName(review.suggestedName);
  }, [nameEdited, review?.suggestedName]);

  const issues = useMemo(() => (evaluation.ok ? [] : evaluation.issues), [evaluation]);
  const lines = review && evaluation.ok ? [...readout(review, evaluation.config.train.lr), ...budgetReadout(evaluation.config, past)] : [];
  const advice = evaluation.ok ? configWarnings(evaluation.config) : [];
  const followers = review ? runLengthFollowers(review.changes) : new Set<string>();
  const currentSteps = evaluation.ok ? evaluation.config.train.steps : null;
  const lengthSteps = Number(lengthInput);
  const lengthOk = Number.isInteger(lengthSteps) && lengthSteps >= 1 && lengthSteps <= 10_000_000;
  const setRunLength = (): void => {
    if (!lengthOk) return;
    const next = setRunLengthText(text, lengthSteps, base.config);
    if (next !== null) editors.current?.setText(next);
  };
  const experimental = review ? experimentalChanges(review.changes) : [];
  const replicate = review ? review.changes.filter((c) => c.path === 'seed') : [];
  const isExperimental = (path: string): boolean => experimental.some((c) => c.path === path);

  const start = (): void => {
    if (!evaluation.ok) return;
    setBusy(true);
    setStartError(null);
    const runName = name.trim() || evaluation.review.suggestedName;
    getClient()
      .call('runs.start', {
        config: { ...evaluation.config, name: runName },
        name: runName,
        ...(hypothesis.trim() ? { hypothesis: hypothesis.trim() } : {}),
        ...(base.runId ? { baselineId: base.runId } : {}),
      })
      .then((run) => navigate({ page: 'run', runId: run.id }), (e: unknown) => setStartError(errorMessage(e)))
      .finally(() => setBusy(false));
  };

  return (
    <div className="editor-body">
      <div className="editor-main">
        <ConfigEditors baseText={base.yaml} initialText={base.yaml} onChange={setText} issues={issues} dark={dark} handle={editors} />
      </div>
      <aside className="editor-side">
        <div className="panel" data-testid="changes-panel">
          <h3>
            Changes vs {base.runId ? <a href={`#/run/${encodeURIComponent(base.runId)}`}>{base.name}</a> : 'the default recipe'}
          </h3>
          {!evaluation.ok ? (
            <ul className="issues" data-testid="config-issues">
              {evaluation.issues.map((i, n) => (
                <li key={n} className="error small">
                  {i.line ? <span className="mono">line {i.line}: </span> : null}
                  {issueMessage(i)}
                </li>
              ))}
            </ul>
          ) : (
            <>
              <div className={experimental.length > 1 ? 'changed-count warn-text' : 'changed-count'} data-testid="changed-count" data-count={experimental.length}>
                {experimental.length === 0 ? 'No field changed' : experimental.length === 1 ? '1 field changed — a one-variable ablation' : `${experimental.length} fields changed`}
                {replicate.length > 0 && <span className="muted"> (+ seed: a replicate)</span>}
              </div>
              {review && review.changes.length > 0 && (
                <table className="changes">
                  <tbody>
                    {review.changes.map((c) => (
                      <tr
                        key={c.path}
                        data-testid="change-row"
                        data-path={c.path}
                        className={isExperimental(c.path) ? undefined : 'muted'}
                        title={isExperimental(c.path) ? undefined : followers.has(c.path) ? 'rescaled with train.steps: part of the run-length change' : 'not an experimental change (seed, name, alert and checkpoint settings)'}
                      >
                        <td className="mono">{c.path}</td>
                        <td className="mono num">{formatChangeValue(c.from)}</td>
                        <td>→</td>
                        <td className="mono num strong">{formatChangeValue(c.to)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {review?.warning && <div className="warn-box small" role="alert" data-testid="one-variable-warning">{review.warning}</div>}
              {advice.length > 0 && (
                <ul className="warn-box small config-warnings" data-testid="config-warnings">
                  {advice.map((w) => (
                    <li key={w.path} data-path={w.path}><span className="mono">{w.path}</span>: {w.message}</li>
                  ))}
                </ul>
              )}
            </>
          )}
        </div>

        <div className="panel run-length" data-testid="run-length">
          <h3>Run length</h3>
          <div className="muted small">Sets train.steps and rescales warmup (keeping its fraction), eval and checkpoint cadence with it: one change.</div>
          <div className="run-length-row">
            <input
              type="number"
              min={1}
              placeholder={currentSteps !== null ? String(currentSteps) : 'steps'}
              value={lengthInput}
              onChange={(e) => setLengthInput(e.target.value)}
              onKeyDown={(e) => e.key === 'Enter' && setRunLength()}
              aria-label="Run length in steps"
              data-testid="run-length-steps"
            />
            <span className="muted small">steps</span>
            <button className="small" disabled={!lengthOk || !evaluation.ok} onClick={setRunLength} data-testid="set-run-length">Set</button>
            {currentSteps !== null &&
              [0.1, 0.5, 2].map((f) => (
                <button key={f} className="small ghost" disabled={!evaluation.ok} onClick={() => {
                  const next = setRunLengthText(text, Math.max(1, Math.round(currentSteps * f)), base.config);
                  if (next !== null) editors.current?.setText(next);
                }}>×{f}</button>
              ))}
          </div>
        </div>

        <div className="panel">
          <h3>Readout</h3>
          <dl className="kv" data-testid="readout">
            {lines.map((l) => (
              <div className="kv-row" key={l.label} title={l.hint}>
                <dt>{l.label}</dt>
                <dd className="mono">
                  {l.value}
                  {l.base !== null && <span className="muted"> (was {l.base})</span>}
                  {l.hint && l.label === '√-rule LR' && <div className="muted small">{l.hint}</div>}
                </dd>
              </div>
            ))}
          </dl>
          {!review && <div className="muted small">Fix the config to see its readout.</div>}
        </div>

        <div className="panel launch">
          <label className="field">
            <span>Run name</span>
            <input
              value={name}
              maxLength={200}
              onChange={(e) => {
                setNameEdited(true);
                setName(e.target.value);
              }}
              data-testid="run-name"
              aria-label="Run name"
            />
          </label>
          {nameEdited && review && name !== review.suggestedName && (
            <button className="small ghost" onClick={() => setNameEdited(false)}>Use the suggested name: {review.suggestedName}</button>
          )}
          <label className="field">
            <span>Hypothesis</span>
            <textarea
              rows={3}
              value={hypothesis}
              maxLength={10_000}
              placeholder="What do you expect, and why? e.g. a lower peak LR trains slower but ends lower."
              onChange={(e) => setHypothesis(e.target.value)}
              data-testid="hypothesis"
              aria-label="Hypothesis"
            />
          </label>
          <button className="primary" disabled={busy || !evaluation.ok} onClick={start} data-testid="start-run">
            {busy ? 'Starting…' : experimental.length > 1 ? `Start run anyway (${experimental.length} changes)` : 'Start run'}
          </button>
          {startError && <div className="error small" role="alert">{startError}</div>}
        </div>

        <SweepLauncher
          base={evaluation.ok ? evaluation.config : null}
          text={text}
          baselineId={base.runId}
          baselineName={base.name}
          changes={review?.changes ?? []}
          hypothesis={hypothesis}
          past={past}
        />
      </aside>
    </div>
  );
}
