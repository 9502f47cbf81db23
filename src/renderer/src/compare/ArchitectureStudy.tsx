// The architecture study on the Compare page: launch one (budget, steps, seeds) and read its table — per model,
// mean ± std over seeds of val loss, perplexity, the generalisation gap, repetition and throughput.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { StudyCell, StudyTable } from '../../../shared/api/index.ts';
import { formatCell, STUDY_COLUMNS } from '../../../shared/studies/format.ts';
import { STUDY_DEFAULTS } from '../../../shared/studies/architectures.ts';
import { getClient } from '../api/client.ts';
import { errorMessage } from '../lib/errors.ts';

interface StudyInfo {
  group: string;
  runCount: number;
  done: boolean;
}

/** Mean ± std, and below it Welch's p where the row was tested against the transformer. */
function StudyValue({ cell, digits }: { cell: StudyCell; digits: number }): React.JSX.Element {
  return (
    <>
      {formatCell(cell, digits)}
      {cell.p !== null && <div className="muted small">p {cell.p < 1e-3 ? cell.p.toExponential(0) : cell.p.toFixed(3)}</div>}
    </>
  );
}

/** The studies in the store and a launcher; the chosen study's table. */
export function ArchitectureStudy(): React.JSX.Element {
  const [studies, setStudies] = useState<StudyInfo[]>([]);
  const [chosen, setChosen] = useState<string | null>(null);
  const [table, setTable] = useState<StudyTable | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState({ params: String(STUDY_DEFAULTS.params), steps: String(STUDY_DEFAULTS.steps), seeds: String(STUDY_DEFAULTS.seeds) });
  const [busy, setBusy] = useState(false);
  const seq = useRef(0);

  const loadStudies = useCallback(() => {
    getClient().call('studies.list', {}).then(setStudies, () => setStudies([]));
  }, []);
  const loadTable = useCallback(() => {
    const mine = ++seq.current;
    if (chosen === null) return setTable(null);
    getClient()
      .call('studies.table', { group: chosen })
      .then(
        (t) => mine === seq.current && (setTable(t), setError(null)),
        (e: unknown) => mine === seq.current && (setTable(null), setError(errorMessage(e))),
      );
  }, [chosen]);

  useEffect(loadStudies, [loadStudies]);
  useEffect(loadTable, [loadTable]);
  // Its runs finish one after another: the list and the table follow run status, at most once a second.
  useEffect(() => {
    let timer = 0;
    const later = (): void => {
      if (!timer) timer = window.setTimeout(() => ((timer = 0), loadStudies(), loadTable()), 1000);
    };
    const c = getClient();
    const offs = [c.on('run.status', later), c.on('ablation.sweep', later)];
    return () => (offs.forEach((off) => off()), window.clearTimeout(timer));
  }, [loadStudies, loadTable]);

  const launch = (): void => {
    setBusy(true);
    getClient()
      .call('studies.architectures', { params: Number(form.params), steps: Number(form.steps), seeds: Number(form.seeds) })
      .then(
        (r) => (setChosen(r.group), setError(null), loadStudies()),
        (e: unknown) => setError(errorMessage(e)),
      )
      .finally(() => setBusy(false));
  };
  const field = (key: keyof typeof form, label: string, title: string): React.JSX.Element => (
    <label className="toggle" title={title}>
      {label}
      <input className="step-input" value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.target.value })} aria-label={label} data-testid={`study-${key}`} />
    </label>
  );

  return (
    <section className="study panel" data-testid="architecture-study">
      <h3>
        Architecture study
        <span className="muted small"> · Transformer vs Mamba vs hybrid vs MoE at one parameter budget, same data, steps and seeds</span>
      </h3>
      <div className="chart-tools study-tools">
        {studies.map((s) => (
          <button
            key={s.group}
            className={`small ${chosen === s.group ? '' : 'ghost'}`}
            onClick={() => setChosen(chosen === s.group ? null : s.group)}
            data-testid="study-pick"
            data-group={s.group}
          >
            {s.group} <span className="muted">({s.runCount} runs{s.done ? '' : ', running'})</span>
          </button>
        ))}
        <span className="study-launch">
          {field('params', 'Params', 'Total parameters every model is sized to')}
          {field('steps', 'Steps', 'Optimizer steps of every run')}
          {field('seeds', 'Seeds', 'Seeds per model')}
          <button className="small" disabled={busy} onClick={launch} data-testid="study-run">Run study</button>
        </span>
      </div>
      {error && <div className="error banner" role="alert" data-testid="study-error">{error}</div>}
      {table && (
        <>
          <div className="study-table-wrap">
          <table className="compare-table study-table" data-testid="study-table" data-group={table.group}>
            <thead>
              <tr>{STUDY_COLUMNS.map((c) => <th key={c.title} className={c.title === 'model' ? undefined : 'num'}>{c.title}</th>)}</tr>
            </thead>
            <tbody>
              {table.rows.map((row) => (
                <tr key={row.arm} data-testid="study-row" data-arm={row.arm} data-finished={row.finished} className={row.isBaseline ? 'baseline' : undefined}>
                  {STUDY_COLUMNS.map((c) => (
                    <td key={c.title} className={c.title === 'model' ? undefined : 'num mono'}>
                      {c.metric ? <StudyValue cell={c.metric.cell(row)} digits={c.metric.digits} /> : c.text(row)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          </div>
          <div className="muted small">
            {table.steps !== null && `${table.steps} steps per run. `}Mean ± std over seeds; p: Welch&apos;s t-test against the Pure Transformer (α {table.alpha}). Gap: val − train cross-entropy at the end.
            Loop fraction, seq-rep-4 and sameness: the diagnostic prompt set sampled at the last eval.
          </div>
          {table.warnings.length > 0 && <ul className="warn-box small compare-warnings">{table.warnings.map((w) => <li key={w}>{w}</li>)}</ul>}
        </>
      )}
    </section>
  );
}
