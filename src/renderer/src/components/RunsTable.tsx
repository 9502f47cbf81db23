// The runs table: sortable columns, inline rename and notes, stop/resume, archive behind a confirmation, and
// permanent deletion of archived runs behind a second one (typing the run's name).
import { Fragment, useState } from 'react';
import { isActive, isResumable, type RunSummary } from '../../../shared/runs.ts';
import { getClient } from '../api/client.ts';
import { navigate } from '../router.ts';
import { errorMessage } from '../lib/errors.ts';
import { formatCount, formatDuration, formatStarted, formatValue } from '../lib/format.ts';
import { runDurationMs, type Sort, type SortKey } from '../lib/runs-table.ts';
import { StatusBadge } from './StatusBadge.tsx';

/** optional: columns a narrow window drops first (styles.css), so Alerts and the actions stay in view. */
const COLUMNS: { key: SortKey; label: string; num?: boolean; title?: string; optional?: boolean }[] = [
  { key: 'name', label: 'Name' },
  { key: 'status', label: 'Status' },
  { key: 'backend', label: 'Backend', optional: true },
  { key: 'params', label: 'Params', num: true, optional: true },
  { key: 'steps', label: 'Steps', num: true },
  { key: 'tokensSeen', label: 'Tokens', num: true, optional: true },
  { key: 'bestValLoss', label: 'Best val', num: true, title: 'Best validation loss (nats)' },
  { key: 'lastValLoss', label: 'Last val', num: true, title: 'Last validation loss (nats)', optional: true },
  { key: 'startedAt', label: 'Started' },
  { key: 'duration', label: 'Duration', num: true, optional: true },
  { key: 'alertCount', label: 'Alerts', num: true },
];

/** Names and losses read best ascending on the first click; counts and times descending. */
function firstDir(key: SortKey): 'asc' | 'desc' {
  return ['name', 'status', 'backend', 'bestValLoss', 'lastValLoss'].includes(key) ? 'asc' : 'desc';
}

export interface RunsTableProps {
  runs: RunSummary[];
  sort: Sort;
  onSort: (s: Sort) => void;
  onChanged: (r: RunSummary) => void;
  selected: ReadonlySet<string>;
  onSelect: (id: string, on: boolean) => void;
  /** A run was deleted permanently (only archived runs offer it). */
  onDeleted?: (id: string) => void;
  /** Queued runs' places in the queue (queuePositions over all runs, not only the shown ones). */
  queue?: ReadonlyMap<string, number>;
}

export function RunsTable({ runs, sort, onSort, onChanged, selected, onSelect, onDeleted, queue }: RunsTableProps): React.JSX.Element {
  const [openNotes, setOpenNotes] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  return (
    <table className="runs-table" data-testid="runs-table">
      <thead>
        <tr>
          <th className="sel" />
          {COLUMNS.map((c) => (
            <th
              key={c.key}
              className={`${c.num ? 'num sortable' : 'sortable'}${c.optional ? ' opt' : ''}`}
              title={c.title}
              aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
              onClick={() => onSort({ key: c.key, dir: sort.key === c.key ? (sort.dir === 'desc' ? 'asc' : 'desc') : firstDir(c.key) })}
            >
              {c.label}
              {sort.key === c.key && <span className="sort-arrow">{sort.dir === 'asc' ? '▲' : '▼'}</span>}
            </th>
          ))}
          <th className="actions-col" />
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <Fragment key={r.id}>
            <RunRow
              run={r}
              queuedAt={queue?.get(r.id)}
              onChanged={onChanged}
              notesOpen={openNotes === r.id}
              toggleNotes={() => setOpenNotes(openNotes === r.id ? null : r.id)}
              selected={selected.has(r.id)}
              onSelect={(on) => onSelect(r.id, on)}
              askDelete={onDeleted ? () => setConfirmDelete(r.id) : undefined}
            />
            {openNotes === r.id && <NotesRow run={r} onChanged={onChanged} onClose={() => setOpenNotes(null)} />}
            {confirmDelete === r.id && onDeleted && (
              <DeleteRow run={r} onClose={() => setConfirmDelete(null)} onDeleted={() => { setConfirmDelete(null); onDeleted(r.id); }} />
            )}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}

interface RowProps {
  run: RunSummary;
  /** Place in the queue, for a queued run. */
  queuedAt?: number;
  onChanged: (r: RunSummary) => void;
  notesOpen: boolean;
  toggleNotes: () => void;
  selected: boolean;
  onSelect: (on: boolean) => void;
  askDelete?: () => void;
}

function RunRow({ run: r, queuedAt, onChanged, notesOpen, toggleNotes, selected, onSelect, askDelete }: RowProps): React.JSX.Element {
  const [renaming, setRenaming] = useState(false);
  const [confirmArchive, setConfirmArchive] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const act = (p: Promise<RunSummary>): void => {
    setBusy(true);
    setError(null);
    p.then(onChanged, (e: unknown) => setError(errorMessage(e))).finally(() => setBusy(false));
  };
  const c = getClient();
  const open = (e: React.MouseEvent): void => {
    if ((e.target as HTMLElement).closest('button, input, textarea, a, label')) return;
    navigate({ page: 'run', runId: r.id });
  };
  const progress = r.plannedSteps > 0 ? Math.min(1, r.steps / r.plannedSteps) : 0;

  return (
    <tr data-testid="run-row" data-run-id={r.id} data-status={r.status} className={r.archived ? 'archived' : undefined} onClick={open}>
      <td className="sel">
        <input type="checkbox" aria-label={`Select ${r.name}`} checked={selected} onChange={(e) => onSelect(e.target.checked)} />
      </td>
      <td className="name-cell">
        {renaming ? (
          <RenameInput
            initial={r.name}
            onDone={(name) => {
              setRenaming(false);
              if (name && name !== r.name) act(c.call('runs.update', { runId: r.id, name }));
            }}
          />
        ) : (
          <>
            <a href={`#/run/${encodeURIComponent(r.id)}`} className="run-name" onDoubleClick={(e) => { e.preventDefault(); setRenaming(true); }} title={r.hypothesis ?? 'Double-click to rename'}>
              {r.name}
            </a>
            {r.groupName && <span className="tag">{r.groupName}</span>}
            {r.initFrom && <Lineage initFrom={r.initFrom} />}
            {r.archived && <span className="tag">archived</span>}
            {r.external && <span className="tag" data-testid="external-tag" title={`${r.external.kind}: ${r.external.path}`}>external</span>}
            {r.external?.staleSince != null && r.status === 'running' && <span className="tag warn" title="The run file stopped growing">stale</span>}
            {r.notes && <span className="notes-dot" title={r.notes}>✎</span>}
          </>
        )}
        {error && <div className="row-error" role="alert">{error}</div>}
        {r.error && !error && <div className="row-error" title={r.error}>{r.error}</div>}
      </td>
      <td><StatusBadge status={r.status} /></td>
      <td className="opt" title={r.backendReason ?? undefined}>{r.backend ?? '—'}</td>
      <td className="num opt">{formatCount(r.params)}</td>
      <td className="num">
        <div className="steps-cell">
          <span>{formatCount(r.steps)}<span className="muted">/{formatCount(r.plannedSteps)}</span></span>
          {r.status === 'running' && <span className="progress"><span style={{ width: `${progress * 100}%` }} /></span>}
        </div>
      </td>
      <td className="num opt">{formatCount(r.tokensSeen)}</td>
      <td className="num strong" title={r.bestValLoss === null ? 'no eval after initialisation yet' : `at step ${r.bestValStep}`} data-testid="best-val">{formatValue(r.bestValLoss)}</td>
      <td className="num opt" title={r.lastValStep === null ? undefined : `at step ${r.lastValStep}${r.lastValStep === 0 ? ' (initialisation)' : ''}`}>{formatValue(r.lastValLoss)}</td>
      <td data-testid="run-started">
        {r.status === 'queued' ? <span className="muted" title={`queued ${formatStarted(r.createdAt)}`}>queued{queuedAt ? ` #${queuedAt}` : ''}</span> : formatStarted(r.startedAt ?? r.createdAt)}
      </td>
      <td className="num opt">{formatDuration(runDurationMs(r))}</td>
      <AlertCountCell run={r} />
      <td className="actions">
        {confirmArchive ? (
          <span className="confirm">
            {r.archived ? 'Unarchive?' : 'Archive this run?'}
            <button className="danger small" disabled={busy} data-testid="confirm-archive" onClick={() => { setConfirmArchive(false); act(c.call('runs.archive', { runId: r.id, archived: !r.archived })); }}>
              {r.archived ? 'Unarchive' : 'Archive'}
            </button>
            <button className="small ghost" onClick={() => setConfirmArchive(false)}>Cancel</button>
          </span>
        ) : (
          <>
            {isActive(r.status) && !r.external && (
              <button
                className="small"
                disabled={busy}
                onClick={() => act(c.call('runs.stop', { runId: r.id }))}
                title={r.status === 'queued' ? 'Take it out of the queue (it has not started)' : 'Stop after the current step (a checkpoint is kept)'}
                data-testid="stop-or-cancel"
              >
                {r.status === 'queued' ? 'Cancel' : 'Stop'}
              </button>
            )}
            {isResumable(r.status) && !r.external && (
              <button className="small" disabled={busy} onClick={() => act(c.call('runs.resume', { runId: r.id }))} title="Resume from the last checkpoint">Resume</button>
            )}
            <button className="small ghost" onClick={() => setRenaming(true)} title="Rename">Rename</button>
            <button className={notesOpen ? 'small ghost on' : 'small ghost'} onClick={toggleNotes} title="Notes">Notes</button>
            <button className="small ghost" disabled={busy || isActive(r.status)} onClick={() => setConfirmArchive(true)} title={isActive(r.status) ? 'Stop the run before archiving it' : 'Hide this run (nothing is deleted)'}>
              {r.archived ? 'Unarchive' : 'Archive'}
            </button>
            {r.archived && askDelete && !isActive(r.status) && (
              <button className="small ghost danger-text" disabled={busy} data-testid="delete-run" onClick={askDelete} title="Delete permanently: this run, its metrics and its checkpoint files (asks you to type its name)">
                Delete…
              </button>
            )}
          </>
        )}
      </td>
    </tr>
  );
}

function RenameInput({ initial, onDone }: { initial: string; onDone: (name: string | null) => void }): React.JSX.Element {
  const [v, setV] = useState(initial);
  return (
    <input
      className="inline-input"
      autoFocus
      value={v}
      maxLength={200}
      aria-label="Run name"
      onChange={(e) => setV(e.target.value)}
      onBlur={() => onDone(v.trim() || null)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onDone(v.trim() || null);
        if (e.key === 'Escape') onDone(null);
      }}
    />
  );
}

function NotesRow({ run, onChanged, onClose }: { run: RunSummary; onChanged: (r: RunSummary) => void; onClose: () => void }): React.JSX.Element {
  const [v, setV] = useState(run.notes ?? '');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const save = (): void => {
    setSaving(true);
    getClient()
      .call('runs.update', { runId: run.id, notes: v })
      .then((r) => {
        onChanged(r);
        onClose();
      }, (e: unknown) => setError(errorMessage(e)))
      .finally(() => setSaving(false));
  };
  return (
    <tr className="notes-row">
      <td />
      <td colSpan={COLUMNS.length + 1}>
        {run.hypothesis && <div className="muted">Hypothesis: {run.hypothesis}</div>}
        <textarea
          autoFocus
          value={v}
          rows={3}
          placeholder="What did you try, what did you see?"
          onChange={(e) => setV(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) save();
            if (e.key === 'Escape') onClose();
          }}
        />
        <div className="row-buttons">
          <button className="small primary" disabled={saving} onClick={save}>Save notes</button>
          <button className="small ghost" onClick={onClose}>Cancel</button>
          <span className="muted">Ctrl+Enter saves · Esc cancels</span>
          {error && <span className="error">{error}</span>}
        </div>
      </td>
    </tr>
  );
}

/** The second confirmation: the run's name must be typed before the irreversible request is sent. */
function DeleteRow({ run, onClose, onDeleted }: { run: RunSummary; onClose: () => void; onDeleted: () => void }): React.JSX.Element {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const matches = typed.trim() === run.name.trim();
  const remove = (): void => {
    if (!matches || deleting) return;
    setDeleting(true);
    setError(null);
    getClient()
      .call('runs.delete', { runId: run.id, confirm: true })
      .then(onDeleted, (e: unknown) => {
        setError(errorMessage(e));
        setDeleting(false);
      });
  };
  return (
    <tr className="notes-row delete-row" data-testid="delete-row">
      <td />
      <td colSpan={COLUMNS.length + 1}>
        <div>
          <strong>Delete “{run.name}” permanently?</strong> Its metrics, alerts, samples and checkpoint files are removed and cannot be
          recovered. Runs that use it as their baseline keep their own data. Type the run name to confirm.
        </div>
        <div className="row-buttons">
          <input
            className="inline-input"
            autoFocus
            value={typed}
            placeholder={run.name}
            aria-label="Type the run name to confirm deletion"
            data-testid="delete-confirm-name"
            onChange={(e) => setTyped(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') remove();
              if (e.key === 'Escape') onClose();
            }}
          />
          <button className="small danger" disabled={!matches || deleting} data-testid="confirm-delete" onClick={remove}>
            {deleting ? 'Deleting…' : 'Delete permanently'}
          </button>
          <button className="small ghost" onClick={onClose}>Cancel</button>
          {error && <span className="error" role="alert">{error}</span>}
        </div>
      </td>
    </tr>
  );
}

/** Warnings and errors count; info alerts (expected events, e.g. a late plateau) are shown apart, muted. */
function AlertCountCell({ run }: { run: RunSummary }): React.JSX.Element {
  const info = run.alertCount - run.warningCount;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const title = run.alertCount ? `${plural(run.warningCount, 'warning')}, ${plural(info, 'info alert')}: open the run to see them` : 'No alerts';
  return (
    <td className={run.warningCount ? 'num warn-text' : 'num muted'} data-testid="alert-count" data-warnings={run.warningCount} data-info={info} title={title}>
      {run.warningCount ? run.warningCount : info ? <span className="muted">{`${info} info`}</span> : '·'}
      {run.warningCount > 0 && info > 0 && <span className="muted">{` +${info}`}</span>}
    </td>
  );
}

/** "↳ from RUN@STEP": the weights a fine-tune started from, linked to the parent run when it is one of ours. */
function Lineage({ initFrom }: { initFrom: string }): React.JSX.Element {
  const m = /^([^/\\@]+)@(\d+)$/.exec(initFrom);
  return (
    <span className="tag lineage" data-testid="lineage" title={`Started from the weights of ${initFrom}`}>
      ↳ from {m ? <a href={`#/run/${encodeURIComponent(m[1]!)}`}>{m[1]} @ {m[2]}</a> : initFrom.split(/[/\\]/).slice(-2).join('/')}
    </span>
  );
}
