// Highlight segments line up with the token spans the diagnostics report, for streamed pieces and byte text.
import { describe, expect, it } from 'vitest';
import { detectLoop, textToTokens } from '../../../shared/generation/metrics.ts';
import { highlightSegments, quietRuns, tokenAtChar, tokenCharOffsets, tokenSlices, tokenSpanToChars } from './text-spans.ts';

describe('tokenCharOffsets', () => {
  it('accumulates piece lengths, with the text length last', () => {
    expect(tokenCharOffsets(['ab', 'c', '', 'é', 'de'])).toEqual([0, 2, 3, 3, 4, 6]);
    expect(tokenCharOffsets([])).toEqual([0]);
  });
});

describe('tokenSpanToChars', () => {
  it('uses the piece offsets when present', () => {
    const offsets = tokenCharOffsets(['the', ' cat', ' sat']);
    expect(tokenSpanToChars('the cat sat', { start: 1, end: 3 }, offsets)).toEqual({ start: 3, end: 11 });
  });
  it('clamps spans past the end of what has streamed so far', () => {
    const offsets = tokenCharOffsets(['a', 'b']);
    expect(tokenSpanToChars('ab', { start: 1, end: 9 }, offsets)).toEqual({ start: 1, end: 2 });
  });
  it('falls back to UTF-8 byte offsets (byte tokenizer) without pieces', () => {
    // "é" is two bytes: byte tokens 0..2 are "aé", byte 3 is "b".
    expect(tokenSpanToChars('aéb', { start: 1, end: 3 }, null)).toEqual({ start: 1, end: 2 });
    expect(tokenSpanToChars('aéb', { start: 3, end: 4 }, null)).toEqual({ start: 2, end: 3 });
  });
});

describe('tokenAtChar', () => {
  it('finds the token a character belongs to', () => {
    const offsets = tokenCharOffsets(['ab', 'c', 'de']);
    expect([0, 1, 2, 3, 4].map((c) => tokenAtChar(offsets, c))).toEqual([0, 0, 1, 2, 2]);
  });
});

describe('highlightSegments', () => {
  it('marks exactly the looping tail found by the detector', () => {
    const text = 'Call me. I have more. I have more. I have more. I have more.';
    const loop = detectLoop(textToTokens(text))!;
    expect(loop).not.toBeNull();
    const segs = highlightSegments(text, [{ kind: 'loop', ...loop }], null);
    expect(segs.map((s) => s.text).join('')).toBe(text);
    const marked = segs.filter((s) => s.kinds.includes('loop')).map((s) => s.text).join('');
    expect(marked.length).toBe(loop.end - loop.start);
    expect(text.endsWith(marked)).toBe(true);
    expect(marked).toContain('I have more. I have more.');
  });

  it('splits overlapping loop and memorised spans so both show', () => {
    const pieces = ['a', 'b', 'c', 'd', 'e', 'f'];
    const segs = highlightSegments('abcdef', [
      { kind: 'memo', start: 1, end: 4 },
      { kind: 'loop', start: 3, end: 6 },
    ], tokenCharOffsets(pieces));
    expect(segs.map((s) => [s.text, s.kinds.slice().sort()])).toEqual([
      ['a', []],
      ['bc', ['memo']],
      ['d', ['loop', 'memo']],
      ['ef', ['loop']],
    ]);
    expect(segs.map((s) => s.token)).toEqual([0, 1, 3, 4]);
  });

  it('ignores empty spans and leaves unmarked text whole', () => {
    expect(highlightSegments('hello', [{ kind: 'memo', start: 2, end: 2 }], null)).toEqual([
      { text: 'hello', start: 0, end: 5, kinds: [], token: 0 },
    ]);
    expect(highlightSegments('', [], null)).toEqual([]);
  });
});

describe('tokenSlices', () => {
  it('splits each segment into its tokens, skipping empty pieces', () => {
    const pieces = ['ab', '', 'é', 'cd', 'e'];
    const offsets = tokenCharOffsets(pieces);
    const segs = highlightSegments('abécde', [{ kind: 'loop', start: 2, end: 4 }], offsets);
    expect(segs.map((s) => tokenSlices(s, offsets))).toEqual([
      [{ text: 'ab', token: 0 }],
      [{ text: 'é', token: 2 }, { text: 'cd', token: 3 }],
      [{ text: 'e', token: 4 }],
    ]);
  });
  it('covers the whole text exactly once', () => {
    const pieces = ['The', ' cat', ' sat', ' on', ' the', ' mat'];
    const offsets = tokenCharOffsets(pieces);
    const segs = highlightSegments(pieces.join(''), [{ kind: 'memo', start: 1, end: 3 }, { kind: 'loop', start: 2, end: 6 }], offsets);
    const slices = segs.flatMap((s) => tokenSlices(s, offsets));
    expect(slices.map((x) => x.text)).toEqual(pieces);
    expect(slices.map((x) => x.token)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('quietRuns', () => {
  it('separates invalid bytes and control characters from readable text, keeping newlines, tabs and emoji', () => {
    expect(quietRuns('ab\uFFFDc\u0001d\n\te 🐋')).toEqual([
      { text: 'ab', unreadable: false },
      { text: '\uFFFD', unreadable: true },
      { text: 'c', unreadable: false },
      { text: '\u0001', unreadable: true },
      { text: 'd\n\te 🐋', unreadable: false },
    ]);
    expect(quietRuns('').length).toBe(0);
  });
});
