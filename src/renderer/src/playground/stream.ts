// The streamed state of one sample: token pieces and entropies in index order as `sample.token` events
// arrive (possibly repeated or out of order after a reconnect), replaced by the stored sample when done.
import type { EventPayload } from '../../../shared/api/index.ts';
import type { Sample } from '../../../shared/api/samples.ts';

export type SamplePhase = EventPayload<'sample.phase'>['phase'];

export interface StreamState {
  sampleId: string;
  pieces: string[];
  entropies: number[];
  phase: 'starting' | SamplePhase | 'done' | 'error';
  sample: Sample | null;
  error: string | null;
  startedAt: number;
}

export function startStream(sampleId: string, now = Date.now()): StreamState {
  return { sampleId, pieces: [], entropies: [], phase: 'starting', sample: null, error: null, startedAt: now };
}

/** Places a token at its index; an exact repeat changes nothing, a gap stays '' until its token arrives. */
export function applyToken(s: StreamState, ev: { sampleId: string; index: number; piece: string; entropy: number }): StreamState {
  if (ev.sampleId !== s.sampleId || s.sample !== null || ev.index < 0) return s;
  if (ev.index < s.pieces.length && s.pieces[ev.index] === ev.piece && Object.is(s.entropies[ev.index], ev.entropy)) return s;
  const pieces = s.pieces.slice();
  const entropies = s.entropies.slice();
  while (pieces.length < ev.index) {
    pieces.push('');
    entropies.push(NaN);
  }
  pieces[ev.index] = ev.piece;
  entropies[ev.index] = ev.entropy;
  return { ...s, pieces, entropies, phase: s.phase === 'done' || s.phase === 'error' || s.phase === 'diagnosing' ? s.phase : 'generating' };
}

export function applyDone(s: StreamState, ev: { sampleId: string; sample: Sample }): StreamState {
  if (ev.sampleId !== s.sampleId) return s;
  return { ...s, sample: ev.sample, pieces: ev.sample.pieces, entropies: ev.sample.entropies, phase: 'done' };
}

export function applyError(s: StreamState, ev: { sampleId: string; message: string }): StreamState {
  if (ev.sampleId !== s.sampleId) return s;
  return { ...s, phase: 'error', error: ev.message };
}

export function streamText(s: StreamState): string {
  return s.sample ? s.sample.text : s.pieces.join('');
}

export function isRunning(s: StreamState | null): boolean {
  return s !== null && s.phase !== 'done' && s.phase !== 'error';
}
