// Streaming byte-level output: a character split across tokens appears whole, never as "�" in the middle of the stream.
import { describe, expect, it } from 'vitest';
import { ByteTokenizer } from './data/tokenizer.ts';
import { settledText } from './sample.ts';

/** The pieces generate() streams for these ids: each token's share of the settled text. */
function stream(ids: number[]): { pieces: string[]; text: string } {
  const tok = new ByteTokenizer();
  const pieces: string[] = [];
  let text = '';
  for (let i = 1; i <= ids.length; i++) {
    const full = settledText(tok.decode(ids.slice(0, i)));
    pieces.push(full.slice(text.length));
    text = full;
  }
  return { pieces, text };
}

describe('settledText', () => {
  it('decodes multi-byte characters across token boundaries', () => {
    const ids = [...new TextEncoder().encode('é€ ok 🐋')];
    const { pieces, text } = stream(ids);
    expect(text).toBe('é€ ok 🐋');
    expect(pieces.join('')).toBe(text);
    expect(pieces.some((p) => p.includes('\uFFFD'))).toBe(false);
    // é is 2 bytes: the first token's piece is empty, the second carries the whole character.
    expect(pieces.slice(0, 2)).toEqual(['', 'é']);
    expect(pieces.length).toBe(ids.length);
  });

  it('drops an incomplete character at the end quietly, and keeps invalid bytes inside the text visible as such', () => {
    const cut = [...new TextEncoder().encode('ab€')].slice(0, -1);
    expect(stream(cut).text).toBe('ab');
    // A lone continuation byte is not a split character: it stays a replacement once more text follows.
    expect(stream([0x61, 0x80, 0x62]).text).toBe('a\uFFFDb');
  });
});
