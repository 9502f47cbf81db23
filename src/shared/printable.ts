// What may appear in a name, and how any other text is made safe to print: control characters (newlines, carriage
// returns, ANSI escapes, C1 codes) and the Unicode marks that reorder or break lines would rewrite a terminal line.
import { z } from 'zod';

/** C0/C1 controls and DEL, line/paragraph separators, and bidi embeddings/overrides/isolates. */
const unprintable = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const unprintableGlobal = new RegExp(unprintable.source, 'gu');

/** A run or group name: one line of printable text, not blank. */
export const PrintableName = z
  .string()
  .min(1)
  .max(200)
  .regex(/\S/, 'must not be blank')
  .refine((s) => !unprintable.test(s), 'must be one line of printable text (no control characters such as newlines or escape codes)');

const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\e' };

/**
 * The text with every unprintable character shown as an escape (`\n`, `\r`, `\t`, `\e`, `\xHH`, `\u{HHHH}`), so
 * printing it cannot move the cursor, recolour the terminal or fake a line. `keepLines` keeps newlines and tabs
 * (notes, sample text).
 */
export function escapeUnprintable(text: string, opts: { keepLines?: boolean } = {}): string {
  return text.replace(unprintableGlobal, (c) => {
    if (opts.keepLines && (c === '\n' || c === '\t')) return c;
    const code = c.codePointAt(0)!;
    return named[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`);
  });
}
