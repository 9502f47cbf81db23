// The runs list, kept live: loaded with runs.list, patched by run.status events, refreshed while runs are active.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RunSummary } from '../../../shared/runs.ts';
import { getClient } from '../api/client.ts';
import { errorMessage } from '../lib/errors.ts';
import { upsertRun } from '../lib/runs-table.ts';

const ACTIVE = new Set(['queued', 'running']);

export interface RunsState {
  runs: RunSummary[];
  loading: boolean;
  error: string | null;
  reload: () => void;
  /** Applies a summary a call returned, without waiting for the event. */
  apply: (run: RunSummary) => void;
}

export function useRuns(includeArchived: boolean): RunsState {
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);

  const reload = useCallback(() => {
    const mine = ++seq.current;
    getClient()
      .call('runs.list', { includeArchived })
      .then(
        (list) => {
          if (mine !== seq.current) return;
          setRuns(list);
          setError(null);
          setLoading(false);
        },
        (e: unknown) => {
          if (mine !== seq.current) return;
          setError(errorMessage(e));
          setLoading(false);
        },
      );
  }, [includeArchived]);

  const apply = useCallback(
    (run: RunSummary) => setRuns((prev) => (run.archived && !includeArchived ? prev.filter((r) => r.id !== run.id) : upsertRun(prev, run))),
    [includeArchived],
  );

  useEffect(() => {
    reload();
    return getClient().on('run.status', ({ run }) => apply(run));
  }, [reload, apply]);

  // Step counts and losses of active runs move faster than status changes: poll gently while any is active.
  const anyActive = runs.some((r) => ACTIVE.has(r.status));
  useEffect(() => {
    if (!anyActive) return;
    const t = setInterval(reload, 2000);
    return () => clearInterval(t);
  }, [anyActive, reload]);

  return { runs, loading, error, reload, apply };
}
