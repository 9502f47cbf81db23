// Streamed output: the prompt, then the continuation with its repetition loop and memorised span highlighted,
// the entropy strip under it, and where in the training data the memorised span comes from.
import { useMemo } from 'react';
import type { MemorizedSource } from '../../../shared/api/samples.ts';
import type { SampleDiagnostics } from '../../../shared/generation/diagnosis.ts';
import { EntropyStrip } from './EntropyStrip.tsx';
import { formatValue } from '../lib/format.ts';
import { highlightSegments, quietRuns, tokenCharOffsets, tokenSlices, type Mark, type Segment } from './text-spans.ts';
import { isMemorized, memorizedThreshold } from '../../../shared/generation/memorization.ts';

/** Text with invalid bytes and control characters drawn as faint dots (their code point in the tooltip). */
export function QuietText({ text }: { text: string }): React.JSX.Element {
  return (
    <>
      {quietRuns(text).map((r, i) =>
        r.unreadable ? (
          <span key={i} className="pg-unreadable" title={r.text === '\uFFFD' ? 'bytes that are not valid UTF-8' : `control character U+${r.text.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`}>·</span>
        ) : (
          r.text
        ),
      )}
    </>
  );
}

function marksOf(d: SampleDiagnostics | null): Mark[] {
  const marks: Mark[] = [];
  if (d?.loop) marks.push({ kind: 'loop', start: d.loop.start, end: d.loop.end });
  // Only a span longer than chance allows for how common it is: short common phrasing is in every corpus.
  const m = d?.memorization;
  if (m && isMemorized(m)) marks.push({ kind: 'memo', start: m.outputStart, end: m.outputStart + m.length });
  return marks;
}

export function HighlightedText({
  text,
  pieces,
  diagnostics,
  entropies,
}: {
  text: string;
  pieces: readonly string[] | null;
  diagnostics: SampleDiagnostics | null;
  /** When given (with pieces), every token carries its entropy as a tooltip. */
  entropies?: readonly number[];
}): React.JSX.Element {
  const { segments, offsets } = useMemo(() => {
    const o = pieces && pieces.length > 0 && pieces.join('').length === text.length ? tokenCharOffsets(pieces) : null;
    return { segments: highlightSegments(text, marksOf(diagnostics), o), offsets: o };
  }, [text, pieces, diagnostics]);
  const inner = (s: Segment): React.ReactNode =>
    offsets && entropies
      ? tokenSlices(s, offsets).map((t) => (
          <span key={t.token} className="pg-tok" title={`token ${t.token} · entropy ${formatValue(entropies[t.token], 3)} nats`}>
            <QuietText text={t.text} />
          </span>
        ))
      : <QuietText text={s.text} />;
  return (
    <>
      {segments.map((s) =>
        s.kinds.length === 0 ? (
          <span key={s.start}>{inner(s)}</span>
        ) : (
          <mark key={s.start} className={s.kinds.map((k) => `hl-${k}`).join(' ')} data-mark={s.kinds.join(' ')}>
            {inner(s)}
          </mark>
        ),
      )}
    </>
  );
}

export function SampleOutput({
  prompt,
  text,
  pieces,
  entropies,
  diagnostics,
  memorizedSource,
  streaming,
  vocabSize,
}: {
  prompt: string;
  text: string;
  pieces: readonly string[] | null;
  entropies: readonly number[];
  diagnostics: SampleDiagnostics | null;
  memorizedSource: MemorizedSource | null;
  streaming: boolean;
  vocabSize?: number | null;
}): React.JSX.Element {
  const loop = diagnostics?.loop ?? null;
  const match = diagnostics?.memorization ?? null;
  const memo = match && isMemorized(match) ? match : null;
  return (
    <div className="pg-output" data-testid="sample-output" data-streaming={streaming ? 'true' : 'false'} data-tokens={entropies.length}>
      <div className="pg-text mono">
        <span className="pg-prompt">{prompt}</span>
        <span data-testid="sample-text">
          <HighlightedText text={text} pieces={pieces} diagnostics={diagnostics} entropies={entropies} />
        </span>
        {streaming && <span className="pg-caret" aria-hidden>▍</span>}
      </div>
      <EntropyStrip entropies={entropies} vocabSize={vocabSize} />
      {!memo && match && match.length > 0 && (
        <div className="muted small" data-testid="memo-chance">
          Longest span also in the training data: {match.length} tokens{match.occurrences > 1 ? `, which occurs ${match.occurrences}×` : ''}: no more than chance allows, not memorised ({memorizedThreshold(match.occurrences)}+ tokens would be).
        </div>
      )}
      {(loop || memo) && (
        <div className="pg-legend small">
          {loop && (
            <span data-testid="loop-note">
              <mark className="hl-loop">loop</mark> period {loop.period} tokens × {loop.repeats}, tokens {loop.start}–{loop.end}
            </span>
          )}
          {memo && (
            <span data-testid="memo-note">
              <mark className="hl-memo">memorised</mark> {memo.length} tokens, found at training offset{' '}
              <span className="mono">{memo.sourceOffset}</span>
              {memo.occurrences > 1 ? ` (occurs ${memo.occurrences}×)` : ''}
            </span>
          )}
        </div>
      )}
      {memorizedSource && memo && (
        <div className="pg-source small" data-testid="memo-source">
          <div className="muted">Training data at token offset {memorizedSource.tokenOffset}:</div>
          <div className="mono pg-source-text">
            <span className="muted">…{memorizedSource.before}</span>
            <mark className="hl-memo">{memorizedSource.match}</mark>
            <span className="muted">{memorizedSource.after}…</span>
          </div>
        </div>
      )}
    </div>
  );
}
