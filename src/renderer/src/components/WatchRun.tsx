// "Watch a run…": follow a run file (or a folder of them) that a PyTorch job writes with Loupe's Python logger.
import { useState } from 'react';
import { getClient } from '../api/client.ts';
import { navigate } from '../router.ts';
import { errorMessage } from '../lib/errors.ts';

export function WatchRunForm({ onClose }: { onClose: () => void }): React.JSX.Element {
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const submit = (e: React.FormEvent): void => {
    e.preventDefault();
    if (!path.trim()) return;
    setBusy(true);
    setError(null);
    getClient()
      .call('runs.watch', { path: path.trim() })
      .then(
        (w) => {
          setBusy(false);
          if (w.kind === 'file' && w.runIds[0]) navigate({ page: 'run', runId: w.runIds[0] });
          else setNote(`Watching ${w.path}: ${w.runIds.length} run file${w.runIds.length === 1 ? '' : 's'} so far; new ones appear in the table as jobs write them.`);
        },
        (err: unknown) => {
          setBusy(false);
          setError(errorMessage(err));
        },
      );
  };
  return (
    <form className="panel watch-form" onSubmit={submit} data-testid="watch-form">
      <label>
        Run file (.jsonl) or folder of them, on the machine Loupe runs on
        <input
          type="text"
          value={path}
          autoFocus
          onChange={(e) => setPath(e.target.value)}
          placeholder="/path/to/runs/my-run.jsonl"
          aria-label="Run file or folder path"
          data-testid="watch-path"
        />
      </label>
      <div className="muted small">
        PyTorch jobs write these with <code>loupe_logger.py</code> (<code>loupe logger --write DIR</code>); the run goes live here as lines arrive.
      </div>
      <div className="form-actions">
        <button className="primary" type="submit" disabled={busy || !path.trim()} data-testid="watch-submit">
          {busy ? 'Opening…' : 'Watch'}
        </button>
        <button type="button" className="ghost" onClick={onClose}>Close</button>
      </div>
      {error && <div className="error small" role="alert">{error}</div>}
      {note && <div className="muted small" data-testid="watch-note">{note}</div>}
    </form>
  );
}
