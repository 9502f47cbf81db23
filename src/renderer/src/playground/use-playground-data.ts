// Data the playground's panels share: the runs that can be sampled (refreshed as runs progress) and the prompt sets.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { PromptSetEntry, SampleableRun } from '../../../shared/api/samples.ts';
import { getClient } from '../api/client.ts';
import { errorMessage } from '../lib/errors.ts';
import { vocabSizeOf } from './entropy-colour.ts';

export function useSampleableRuns(): { runs: SampleableRun[]; error: string | null; loaded: boolean; reload: () => void } {
  const [runs, setRuns] = useState<SampleableRun[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const reload = useCallback(() => {
    getClient()
      .call('samples.checkpoints', { includeArchived: false })
      .then(
        (r) => {
          setRuns(r);
          setError(null);
          setLoaded(true);
        },
        (e: unknown) => {
          setError(errorMessage(e));
          setLoaded(true);
        },
      );
  }, []);
  useEffect(() => {
    reload();
    // A training run writes checkpoints as it goes; its status events say it moved, so look again (at most every 3 s).
    const off = getClient().on('run.status', () => {
      if (timer.current) return;
      timer.current = setTimeout(() => {
        timer.current = null;
        reload();
      }, 3000);
    });
    return () => {
      off();
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [reload]);
  return { runs, error, loaded, reload };
}

export function usePromptSets(): { sets: PromptSetEntry[]; error: string | null; reload: () => void } {
  const [sets, setSets] = useState<PromptSetEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    getClient()
      .call('samples.promptSets', {})
      .then(
        (s) => {
          setSets(s);
          setError(null);
        },
        (e: unknown) => setError(errorMessage(e)),
      );
  }, []);
  useEffect(reload, [reload]);
  return { sets, error, reload };
}

/** The vocabulary size of a run (from its tokenizer), so the entropy strip has an absolute scale; null when unknown. */
export function useVocabSize(runId: string | null): number | null {
  const [vocab, setVocab] = useState<{ runId: string; size: number | null } | null>(null);
  useEffect(() => {
    if (!runId) return;
    let live = true;
    getClient()
      .call('runs.get', { runId })
      .then(
        (d) => live && setVocab({ runId, size: vocabSizeOf(d.config.data.tokenizer) }),
        () => live && setVocab({ runId, size: null }),
      );
    return () => {
      live = false;
    };
  }, [runId]);
  return vocab && vocab.runId === runId ? vocab.size : null;
}
