// One streamed sample: starts it, follows its events, cancels it. Events can beat the reply that names the
// sample (the worker is fast), so those arriving while the id is unknown are held and replayed.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Params } from '../../../shared/api/index.ts';
import type { ResolvedCheckpoint } from '../../../shared/api/samples.ts';
import { getClient } from '../api/client.ts';
import { errorMessage } from '../lib/errors.ts';
import { applyDone, applyError, applyToken, isRunning, startStream, type SamplePhase, type StreamState } from './stream.ts';

type Held =
  | { kind: 'token'; sampleId: string; index: number; piece: string; entropy: number }
  | { kind: 'phase'; sampleId: string; phase: SamplePhase }
  | { kind: 'done'; ev: Parameters<typeof applyDone>[1] }
  | { kind: 'error'; sampleId: string; message: string };

const HELD_LIMIT = 10_000;

function apply(s: StreamState, h: Held): StreamState {
  switch (h.kind) {
    case 'token':
      return applyToken(s, h);
    case 'phase':
      return h.sampleId === s.sampleId && isRunning(s) ? { ...s, phase: h.phase } : s;
    case 'done':
      return applyDone(s, h.ev);
    case 'error':
      return applyError(s, h);
  }
}

export interface SampleStream {
  stream: StreamState | null;
  checkpoint: ResolvedCheckpoint | null;
  prompt: string;
  startError: string | null;
  running: boolean;
  start: (params: Params<'samples.generate'>) => void;
  cancel: () => void;
  /** Shows a stored sample (from the browser) as if it had just streamed. */
  show: (s: StreamState, prompt: string, checkpoint: ResolvedCheckpoint) => void;
}

export function useSampleStream(): SampleStream {
  const [stream, setStream] = useState<StreamState | null>(null);
  const [checkpoint, setCheckpoint] = useState<ResolvedCheckpoint | null>(null);
  const [prompt, setPrompt] = useState('');
  const [startError, setStartError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const held = useRef<Held[] | null>(null);

  useEffect(() => {
    const c = getClient();
    const push = (h: Held): void => {
      if (held.current) {
        if (held.current.length < HELD_LIMIT) held.current.push(h);
        return;
      }
      setStream((s) => (s ? apply(s, h) : s));
    };
    const offs = [
      c.on('sample.token', (ev) => push({ kind: 'token', ...ev })),
      c.on('sample.phase', (ev) => push({ kind: 'phase', ...ev })),
      c.on('sample.done', (ev) => push({ kind: 'done', ev })),
      c.on('sample.error', (ev) => push({ kind: 'error', ...ev })),
    ];
    return () => offs.forEach((off) => off());
  }, []);

  const start = useCallback((params: Params<'samples.generate'>) => {
    held.current = [];
    setStarting(true);
    setStartError(null);
    setPrompt(params.prompt);
    getClient()
      .call('samples.generate', params)
      .then(
        ({ sampleId, checkpoint: ck }) => {
          const replay = held.current ?? [];
          held.current = null;
          setCheckpoint(ck);
          setStream(replay.reduce(apply, startStream(sampleId)));
        },
        (e: unknown) => {
          held.current = null;
          setStartError(errorMessage(e));
        },
      )
      .finally(() => setStarting(false));
  }, []);

  const cancel = useCallback(() => {
    const id = stream?.sampleId;
    if (!id) return;
    getClient()
      .call('samples.cancel', { id })
      .catch((e: unknown) => setStartError(errorMessage(e)));
  }, [stream?.sampleId]);

  const show = useCallback((s: StreamState, p: string, ck: ResolvedCheckpoint) => {
    held.current = null;
    setStartError(null);
    setPrompt(p);
    setCheckpoint(ck);
    setStream(s);
  }, []);

  return { stream, checkpoint, prompt, startError, running: starting || isRunning(stream), start, cancel, show };
}
