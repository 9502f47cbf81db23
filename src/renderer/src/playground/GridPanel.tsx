// Grid mode: choose the rows (a prompt set or typed prompts) and the columns (checkpoints of one run or of
// several), run every cell, and watch the grid fill in; typed prompts can be saved as a prompt set.
import { useEffect, useRef, useState } from 'react';
import type { CheckpointRef, Grid, PromptSetEntry, SampleableRun, SampleSettings } from '../../../shared/api/samples.ts';
import { formatPromptSetIssues } from '../../../shared/generation/prompts.ts';
import { getClient } from '../api/client.ts';
import { errorMessage } from '../lib/errors.ts';
import { CheckpointPicker } from './CheckpointPicker.tsx';
import { GridTable } from './GridTable.tsx';
import { gridProgress, mergeGridCell, spreadSteps } from './grid-view.ts';
import { promptSetFromLines } from './prompt-input.ts';

const CUSTOM = '';
const MAX_COLUMNS = 12;

type GridEvent = { kind: 'cell'; ev: { gridId: string; cell: Grid['cells'][number]; column: Grid['columns'][number] } } | { kind: 'done'; ev: { gridId: string; grid: Grid } };

export function GridPanel({
  runs,
  sets,
  reloadSets,
  settings,
  memorization,
  initialRunId,
}: {
  runs: SampleableRun[];
  sets: PromptSetEntry[];
  reloadSets: () => void;
  /** Null while the settings panel holds an error. */
  settings: SampleSettings | null;
  memorization: boolean;
  initialRunId: string | null;
}): React.JSX.Element {
  const [setId, setSetId] = useState<string>('diagnostic');
  const [lines, setLines] = useState('');
  const [setName, setSetName] = useState('');
  const [columns, setColumns] = useState<CheckpointRef[]>([]);
  const [pick, setPick] = useState<CheckpointRef | null>(initialRunId ? { runId: initialRunId, step: null } : null);
  const [grid, setGrid] = useState<Grid | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [live, setLive] = useState<Map<string, string>>(new Map());
  const gridId = useRef<string | null>(null);
  const held = useRef<GridEvent[] | null>(null);
  /** Tokens are gathered only while a grid runs (the single-sample view streams its own). */
  const collecting = useRef(false);

  useEffect(() => {
    if (initialRunId && !pick) setPick({ runId: initialRunId, step: null });
  }, [initialRunId, pick]);

  useEffect(() => {
    const c = getClient();
    const apply = (g: Grid, e: GridEvent): Grid => {
      if (e.ev.gridId !== g.id) return g;
      return e.kind === 'cell' ? mergeGridCell(g, e.ev.cell, e.ev.column) : e.ev.grid;
    };
    const push = (e: GridEvent): void => {
      if (held.current) {
        held.current.push(e);
        return;
      }
      if (e.ev.gridId !== gridId.current) return;
      setGrid((g) => (g ? apply(g, e) : g));
      if (e.kind === 'done') {
        collecting.current = false;
        setLive(new Map());
      }
    };
    const offs = [
      c.on('sample.gridCell', (ev) => push({ kind: 'cell', ev })),
      c.on('sample.gridDone', (ev) => push({ kind: 'done', ev })),
      // Tokens of the cell being sampled, shown until its stored sample arrives.
      c.on('sample.token', (ev) => {
        if (!collecting.current) return;
        setLive((m) => {
          const next = new Map(m);
          next.set(ev.sampleId, (m.get(ev.sampleId) ?? '') + ev.piece);
          return next;
        });
      }),
    ];
    return () => offs.forEach((off) => off());
  }, []);

  const custom = setId === CUSTOM;
  const chosenSet = sets.find((s) => s.set.id === setId) ?? null;
  const running = grid?.status === 'running';

  const addColumn = (ref: CheckpointRef | null): void => {
    if (!ref) return;
    setColumns((cols) => (cols.some((c) => c.runId === ref.runId && c.step === ref.step) || cols.length >= MAX_COLUMNS ? cols : [...cols, ref]));
  };
  const spread = (): void => {
    const run = runs.find((r) => r.runId === pick?.runId);
    if (!run) return;
    const steps = spreadSteps(run.checkpoints.map((c) => c.step), 4);
    setColumns(steps.map((step) => ({ runId: run.runId, step })));
  };
  const colLabel = (c: CheckpointRef): string => {
    const r = runs.find((x) => x.runId === c.runId);
    return `${r?.runName ?? c.runId} @ ${c.step ?? 'newest'}`;
  };

  const run = (): void => {
    if (!settings) return setError('Fix the settings first.');
    const cols = columns.length > 0 ? columns : pick ? [pick] : [];
    if (cols.length === 0) return setError('Add at least one checkpoint column.');
    let rows: { promptSetId?: string; prompts?: { prompt: string; expectedKeywords?: (string | string[])[] }[] };
    if (custom) {
      const parsed = promptSetFromLines('custom', lines);
      if (!parsed.ok) return setError(formatPromptSetIssues('prompts', parsed.issues));
      rows = { prompts: parsed.set.prompts.map((p) => ({ prompt: p.prompt, expectedKeywords: p.expectedKeywords })) };
    } else {
      rows = { promptSetId: setId };
    }
    setError(null);
    setLive(new Map());
    collecting.current = true;
    held.current = [];
    getClient()
      .call('samples.grid', { ...rows, checkpoints: cols, settings, memorization })
      .then(
        (g) => {
          const replay = held.current ?? [];
          held.current = null;
          gridId.current = g.id;
          const merged = replay.reduce((acc, e) => (e.ev.gridId !== acc.id ? acc : e.kind === 'cell' ? mergeGridCell(acc, e.ev.cell, e.ev.column) : e.ev.grid), g);
          if (merged.status !== 'running') collecting.current = false;
          setGrid(merged);
        },
        (e: unknown) => {
          held.current = null;
          collecting.current = false;
          setError(errorMessage(e));
        },
      );
  };

  const cancel = (): void => {
    if (!grid) return;
    getClient().call('samples.cancel', { id: grid.id }).catch((e: unknown) => setError(errorMessage(e)));
  };

  const saveSet = (): void => {
    const parsed = promptSetFromLines(setName, lines);
    if (!parsed.ok) return setError(formatPromptSetIssues('prompt set', parsed.issues));
    getClient()
      .call('samples.savePromptSet', { set: parsed.set })
      .then(
        (entry) => {
          setError(null);
          setNote(`Saved "${entry.set.name}".`);
          reloadSets();
          setSetId(entry.set.id);
        },
        (e: unknown) => setError(errorMessage(e)),
      );
  };
  const deleteSet = (): void => {
    if (!chosenSet || chosenSet.builtIn) return;
    getClient()
      .call('samples.deletePromptSet', { id: chosenSet.set.id })
      .then(
        () => {
          setNote(`Deleted "${chosenSet.set.name}".`);
          setSetId('diagnostic');
          reloadSets();
        },
        (e: unknown) => setError(errorMessage(e)),
      );
  };
  const editCopy = (): void => {
    if (!chosenSet) return;
    setLines(chosenSet.set.prompts.map((p) => (p.expectedKeywords.length ? `${p.prompt} => ${p.expectedKeywords.map((k) => (typeof k === 'string' ? k : k.join('|'))).join(', ')}` : p.prompt)).join('\n'));
    setSetName(chosenSet.builtIn ? `${chosenSet.set.name} (copy)` : chosenSet.set.name);
    setSetId(CUSTOM);
  };

  const progress = grid ? gridProgress(grid) : null;
  return (
    <div className="pg-gridmode" data-testid="grid-panel">
      <div className="pg-grid-setup">
        <div className="panel">
          <h3>Rows: prompts</h3>
          <div className="row-buttons">
            <select value={setId} onChange={(e) => setSetId(e.target.value)} aria-label="Prompt set" data-testid="prompt-set-select">
              {sets.map((s) => (
                <option key={s.set.id} value={s.set.id}>
                  {s.set.name} ({s.set.prompts.length}){s.builtIn ? ' · built-in' : ''}
                </option>
              ))}
              <option value={CUSTOM}>Typed prompts…</option>
            </select>
            {chosenSet && <button className="small ghost" onClick={editCopy}>Edit a copy</button>}
            {chosenSet && !chosenSet.builtIn && <button className="small ghost" onClick={deleteSet}>Delete set</button>}
          </div>
          {chosenSet?.set.description && <p className="muted small">{chosenSet.set.description}</p>}
          {chosenSet && (
            <ol className="pg-set-list small">
              {chosenSet.set.prompts.map((p) => (
                <li key={p.id} title={p.note ?? ''}>
                  <span className="mono">{p.prompt}</span>
                  {p.expectedKeywords.length > 0 && <span className="muted"> → {p.expectedKeywords.map((k) => (typeof k === 'string' ? k : k.join('|'))).join(', ')}</span>}
                </li>
              ))}
            </ol>
          )}
          {custom && (
            <>
              <textarea
                className="mono pg-lines"
                rows={6}
                value={lines}
                onChange={(e) => setLines(e.target.value)}
                placeholder={'One prompt per line; expected keywords after =>\nI have 3 apples. I eat 1. I have => 2|two\nCall me => Ishmael'}
                aria-label="Prompts, one per line"
                data-testid="grid-prompts"
              />
              <div className="row-buttons">
                <input value={setName} onChange={(e) => setSetName(e.target.value)} placeholder="Name to save as a prompt set" aria-label="Prompt set name" />
                <button className="small" onClick={saveSet} disabled={!setName.trim() || !lines.trim()}>Save set</button>
              </div>
            </>
          )}
        </div>
        <div className="panel">
          <h3>Columns: checkpoints</h3>
          <CheckpointPicker runs={runs} value={pick} onChange={setPick} testId="grid-checkpoint" />
          <div className="row-buttons" style={{ marginTop: 6 }}>
            <button className="small" onClick={() => addColumn(pick)} disabled={!pick || columns.length >= MAX_COLUMNS} data-testid="add-column">+ Add column</button>
            <button className="small ghost" onClick={spread} disabled={!pick} title="Four checkpoints of this run spread over training">Same run at 4 steps</button>
            {columns.length > 0 && <button className="small ghost" onClick={() => setColumns([])}>Clear</button>}
          </div>
          <div className="pg-columns">
            {columns.length === 0 ? (
              <span className="muted small">No columns: the picked checkpoint is used alone.</span>
            ) : (
              columns.map((c, i) => (
                <span key={`${c.runId}@${c.step}`} className="chip">
                  {colLabel(c)}
                  <button className="x" aria-label={`Remove ${colLabel(c)}`} onClick={() => setColumns((cols) => cols.filter((_, j) => j !== i))}>×</button>
                </span>
              ))
            )}
          </div>
          <div className="row-buttons" style={{ marginTop: 8 }}>
            {running ? (
              <button onClick={cancel} data-testid="cancel-grid">■ Cancel grid</button>
            ) : (
              <button className="primary" onClick={run} disabled={!settings} data-testid="run-grid">Run grid</button>
            )}
            {progress && <span className="muted small" data-testid="grid-progress">{progress.done} / {progress.total} cells · {grid?.status}</span>}
          </div>
          {error && <div className="error small pg-pre" role="alert">{error}</div>}
          {note && !error && <div className="muted small">{note}</div>}
        </div>
      </div>
      {grid && <GridTable grid={grid} live={live} />}
    </div>
  );
}
