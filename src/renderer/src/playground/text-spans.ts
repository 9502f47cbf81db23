// Maps token spans (loop, memorised passage) onto the generated text and splits it into highlight segments.
// Spans are token indices from the diagnostics; the text is what the user reads, so the two must be aligned here.
import { byteSpanToStringSpan } from '../../../shared/generation/metrics.ts';

export type MarkKind = 'loop' | 'memo';

export interface Mark {
  kind: MarkKind;
  /** Token indices, end exclusive. */
  start: number;
  end: number;
}

export interface Segment {
  text: string;
  /** Character offsets into the text. */
  start: number;
  end: number;
  kinds: MarkKind[];
  /** Index of the token this segment's first character belongs to (for entropy lookups, tooltips). */
  token: number;
}

/**
 * Character offset where each token's text begins (length n + 1; the last entry is the text length).
 * A piece may be '' (a leading byte of a multi-byte UTF-8 character): that token starts where the character
 * does, so a span that begins mid-character still covers the whole character.
 */
export function tokenCharOffsets(pieces: readonly string[]): number[] {
  const offsets = new Array<number>(pieces.length + 1);
  let at = 0;
  for (let i = 0; i < pieces.length; i++) {
    offsets[i] = at;
    at += pieces[i]!.length;
  }
  offsets[pieces.length] = at;
  return offsets;
}

/** Character span of a token span, from the streamed pieces when there are any, else from the byte tokenizer's layout. */
export function tokenSpanToChars(
  text: string,
  span: { start: number; end: number },
  offsets: readonly number[] | null,
): { start: number; end: number } {
  if (offsets && offsets.length > 1) {
    const last = offsets.length - 1;
    const clamp = (i: number): number => Math.max(0, Math.min(last, i));
    return { start: offsets[clamp(span.start)]!, end: offsets[clamp(span.end)]! };
  }
  return byteSpanToStringSpan(text, span.start, span.end);
}

/** Token index that character `ch` belongs to (binary search over the offsets). */
export function tokenAtChar(offsets: readonly number[], ch: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  if (hi < 0) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= ch) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Splits the text at every mark boundary; each segment lists the marks covering it, so overlapping
 * loop and memorised spans render as nested highlights rather than one hiding the other.
 */
export function highlightSegments(text: string, marks: readonly Mark[], offsets: readonly number[] | null): Segment[] {
  const charMarks = marks
    .map((m) => ({ kind: m.kind, ...tokenSpanToChars(text, m, offsets) }))
    .filter((m) => m.end > m.start);
  const cuts = new Set<number>([0, text.length]);
  for (const m of charMarks) {
    cuts.add(Math.min(m.start, text.length));
    cuts.add(Math.min(m.end, text.length));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const segments: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i]!;
    const end = points[i + 1]!;
    if (end <= start) continue;
    const kinds = charMarks.filter((m) => m.start <= start && m.end >= end).map((m) => m.kind);
    segments.push({ text: text.slice(start, end), start, end, kinds: [...new Set(kinds)], token: offsets ? tokenAtChar(offsets, start) : start });
  }
  return segments;
}

/** Splits a segment at token boundaries (pieces known), so each token's text can carry its own entropy tooltip. */
export function tokenSlices(seg: Segment, offsets: readonly number[]): { text: string; token: number }[] {
  const out: { text: string; token: number }[] = [];
  let t = tokenAtChar(offsets, seg.start);
  let at = seg.start;
  while (at < seg.end) {
    // Skip tokens with empty pieces: they start where the next token does.
    while (t + 1 < offsets.length - 1 && offsets[t + 1]! <= at) t++;
    const end = Math.min(seg.end, offsets[t + 1] ?? seg.end);
    if (end <= at) break;
    out.push({ text: seg.text.slice(at - seg.start, end - seg.start), token: t });
    at = end;
    t++;
  }
  return out;
}

/** Characters a font draws as "�" or a box: invalid UTF-8 (U+FFFD) and control characters other than newline and tab. */
function unreadable(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  return c === 0xfffd || (c < 0x20 && c !== 0x0a && c !== 0x09) || (c >= 0x7f && c <= 0x9f);
}

/**
 * Splits text into readable runs and single unreadable characters, so the latter can be drawn quietly (a faint dot with
 * the code point as its tooltip) instead of as replacement glyphs and boxes.
 */
export function quietRuns(text: string): { text: string; unreadable: boolean }[] {
  const out: { text: string; unreadable: boolean }[] = [];
  let run = '';
  for (const ch of text) {
    if (unreadable(ch)) {
      if (run) out.push({ text: run, unreadable: false });
      run = '';
      out.push({ text: ch, unreadable: true });
    } else run += ch;
  }
  if (run) out.push({ text: run, unreadable: false });
  return out;
}
