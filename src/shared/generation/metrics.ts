// Generation-health measures on token id sequences (DESIGN.md §5): seq-rep-n, distinct-n, entropy,
// tail loops, cross-prompt sameness and keyword hits. Pure functions, shared by worker, main and renderer.

/** Token ids of any array flavour: number[], Int32Array, Uint8Array (byte tokens)... */
export type Tokens = ArrayLike<number>;

/** How text becomes tokens when no tokenizer is at hand: UTF-8 bytes (the `byte` tokenizer) or code points. */
export type TextUnit = 'byte' | 'char';

const utf8 = new TextEncoder();

export function textToTokens(text: string, unit: TextUnit = 'byte'): number[] {
  if (unit === 'byte') return Array.from(utf8.encode(text));
  return Array.from(text, (c) => c.codePointAt(0)!);
}

/**
 * Maps a span of UTF-8 byte offsets to UTF-16 string indices (for highlighting byte-token spans in text);
 * a byte inside a multi-byte character widens the span to the whole character.
 */
export function byteSpanToStringSpan(text: string, byteStart: number, byteEnd: number): { start: number; end: number } {
  let bytes = 0;
  let start = text.length;
  let end = text.length;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const width = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    const units = cp >= 0x10000 ? 2 : 1;
    if (start === text.length && bytes + width > byteStart) start = i;
    if (bytes >= byteEnd) {
      end = i;
      break;
    }
    bytes += width;
    i += units;
  }
  return { start: Math.min(start, end), end };
}

/** Keys of all n-grams in order (length max(0, N − n + 1)); strings so that a Set dedups them exactly. */
export function ngramKeys(tokens: Tokens, n: number): string[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n-gram order must be a positive integer, got ${n}`);
  const keys: string[] = [];
  for (let i = 0; i + n <= tokens.length; i++) {
    let key = String(tokens[i]);
    for (let j = 1; j < n; j++) key += ',' + tokens[i + j];
    keys.push(key);
  }
  return keys;
}

/**
 * distinct-n = |unique n-grams| / |n-grams|. A sequence too short to hold one n-gram counts as fully
 * distinct (1), so seqRep = 1 − distinct always holds and empty output never reads as repetitive.
 */
export function distinct(tokens: Tokens, n: number): number {
  const keys = ngramKeys(tokens, n);
  if (keys.length === 0) return 1;
  return new Set(keys).size / keys.length;
}

/** seq-rep-n = 1 − |unique n-grams| / |n-grams| (Welleck et al. 2019): MLE greedy ≈ 0.44 at n = 4, human ≈ 0.006. */
export function seqRep(tokens: Tokens, n: number): number {
  return 1 - distinct(tokens, n);
}

/** Mean of the finite per-token entropies (nats); null when there are none. */
export function meanEntropy(perTokenEntropies: ArrayLike<number>): number | null {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < perTokenEntropies.length; i++) {
    const h = perTokenEntropies[i]!;
    if (Number.isFinite(h)) {
      sum += h;
      count++;
    }
  }
  return count === 0 ? null : sum / count;
}

/** Entropy in nats of softmax(logits / temperature), computed stably (max-shifted). */
export function entropyFromLogits(logits: ArrayLike<number>, temperature = 1): number {
  if (!(temperature > 0)) throw new RangeError(`temperature must be > 0, got ${temperature}`);
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]! / temperature);
  if (!Number.isFinite(max)) return NaN;
  let z = 0;
  let weighted = 0;
  for (let i = 0; i < logits.length; i++) {
    const s = logits[i]! / temperature - max;
    if (s === -Infinity) continue; // a masked-out token: probability 0 adds nothing (and 0·−∞ would be NaN)
    const e = Math.exp(s);
    z += e;
    weighted += e * s;
  }
  // H = −Σ p log p with p = e^s / Z  ⇒  H = log Z − Σ e^s s / Z
  return Math.log(z) - weighted / z;
}

/** Z-function: z[i] = length of the longest common prefix of a and a[i..]; z[0] = a.length. O(N). */
export function zFunction(a: Tokens): Int32Array {
  const n = a.length;
  const z = new Int32Array(n);
  if (n === 0) return z;
  z[0] = n;
  let l = 0;
  let r = 0;
  for (let i = 1; i < n; i++) {
    let k = i < r ? Math.min(r - i, z[i - l]!) : 0;
    while (i + k < n && a[k] === a[i + k]) k++;
    z[i] = k;
    if (i + k > r) {
      l = i;
      r = i + k;
    }
  }
  return z;
}

export interface LoopOptions {
  /** Whole cycles the tail must hold (DESIGN §5: 3). */
  minRepeats?: number;
  /** Longest cycle considered; default ⌊N / minRepeats⌋. */
  maxPeriod?: number;
  /** Shortest looping span reported, so "..." or "!!!" at the end of prose is not a loop; default 8 tokens. */
  minSpan?: number;
}

/** A looping tail: tokens[start..end) has period `period` and holds ⌊(end − start) / period⌋ = `repeats` cycles. */
export interface Loop {
  start: number;
  end: number;
  period: number;
  repeats: number;
}

/**
 * Finds the longest periodic tail with ≥ minRepeats cycles (the last cycle may be partial), in O(N):
 * the Z-function of the reversed sequence gives, for every period p at once, how far back
 * tokens[i] = tokens[i − p] holds. The period reported is the smallest one whose span comes within
 * one of its own cycles of that longest span, so a period-3 loop is not reported as period 6, and a
 * short "aaa" inside a long "xyaaa" cycle does not hide the real period 5.
 */
export function detectLoop(tokens: Tokens, options: LoopOptions = {}): Loop | null {
  const n = tokens.length;
  const minRepeats = options.minRepeats ?? 3;
  const minSpan = options.minSpan ?? 8;
  if (!Number.isInteger(minRepeats) || minRepeats < 2) throw new RangeError(`minRepeats must be an integer ≥ 2, got ${minRepeats}`);
  const maxPeriod = Math.min(options.maxPeriod ?? Math.floor(n / minRepeats), Math.floor(n / minRepeats));
  if (maxPeriod < 1) return null;
  const reversed = new Int32Array(n);
  for (let i = 0; i < n; i++) reversed[i] = tokens[n - 1 - i]!;
  const z = zFunction(reversed);
  const spanOf = (p: number): number => z[p]! + p;
  const qualifies = (p: number): boolean => {
    const span = spanOf(p);
    return span >= minSpan && Math.floor(span / p) >= minRepeats;
  };
  let longest = 0;
  for (let p = 1; p <= maxPeriod; p++) if (qualifies(p)) longest = Math.max(longest, spanOf(p));
  if (longest === 0) return null;
  for (let p = 1; p <= maxPeriod; p++) {
    if (!qualifies(p)) continue;
    const span = spanOf(p);
    if (span + p > longest) return { start: n - span, end: n, period: p, repeats: Math.floor(span / p) };
  }
  return null; // unreachable: the period achieving `longest` qualifies
}

/** Jaccard similarity of two key sets; two empty sets are identical (1). */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const k of small) if (large.has(k)) shared++;
  return shared / (a.size + b.size - shared);
}

export interface SamenessOptions {
  /** n-gram order of the compared sets (default 4). */
  n?: number;
  /** Jaccard similarity from which two outputs count as near-identical (default 0.8). */
  nearIdentical?: number;
}

export interface Sameness {
  /** Mean pairwise Jaccard similarity of the outputs' n-gram sets, in [0, 1]; 0 with fewer than 2 outputs. */
  score: number;
  /** Fraction of output pairs that are near-identical. */
  nearIdenticalPairs: number;
  /** Size of the largest group of outputs near-identical to one of them (that one included). */
  largestGroup: number;
  /** Most outputs (≥ half, at least 2) collapse onto one answer. */
  flagged: boolean;
}

/** Pairwise n-gram Jaccard of the outputs: each one's near-identical group size (itself included), the sum and near pairs. */
function pairwiseSameness(outputs: readonly Tokens[], options: SamenessOptions): { neighbours: number[]; sum: number; near: number } {
  const n = options.n ?? 4;
  const threshold = options.nearIdentical ?? 0.8;
  const count = outputs.length;
  const sets = outputs.map((t) => {
    const keys = t.length >= n ? ngramKeys(t, n) : t.length > 0 ? ngramKeys(t, t.length) : [];
    return new Set(keys);
  });
  const neighbours = new Array<number>(count).fill(1);
  let sum = 0;
  let near = 0;
  for (let i = 0; i < count; i++) {
    for (let j = i + 1; j < count; j++) {
      const s = jaccard(sets[i]!, sets[j]!);
      sum += s;
      if (s >= threshold) {
        near++;
        neighbours[i]!++;
        neighbours[j]!++;
      }
    }
  }
  return { neighbours, sum, near };
}

/** For each output, how many *other* outputs are near-identical to it (the grid marks those cells). */
export function nearIdenticalCounts(outputs: readonly Tokens[], options: SamenessOptions = {}): number[] {
  return pairwiseSameness(outputs, options).neighbours.map((k) => k - 1);
}

/**
 * Cross-prompt sameness: outputs for *different* prompts should differ. Compares n-gram sets by
 * Jaccard similarity rather than edit distance: it is O(N) per pair, indifferent to where in the
 * text a shared loop starts (two phase-shifted copies of one loop score ≈ 1), and on prose from
 * different prompts it stays low (byte 4-grams: typically < 0.2). Sequences shorter than n compare
 * as a single n-gram of their whole content.
 */
export function crossPromptSameness(outputs: readonly Tokens[], options: SamenessOptions = {}): Sameness {
  const count = outputs.length;
  if (count < 2) return { score: 0, nearIdenticalPairs: 0, largestGroup: count, flagged: false };
  const { neighbours, sum, near } = pairwiseSameness(outputs, options);
  const pairs = (count * (count - 1)) / 2;
  const largestGroup = Math.max(...neighbours);
  return {
    score: sum / pairs,
    nearIdenticalPairs: near / pairs,
    largestGroup,
    flagged: largestGroup >= Math.max(2, Math.ceil(count / 2)),
  };
}

/** An expected keyword, or a group of alternatives of which any one counts ("2" | "two"). */
export type ExpectedKeyword = string | readonly string[];

export interface KeywordScore {
  /** Fraction of expected keywords (groups) found, in [0, 1]. */
  score: number;
  matched: string[];
  missing: string[];
}

const wordChar = /[\p{L}\p{N}_]/u;

function normalise(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

/** Case-insensitive match that respects word edges where the keyword has them ("2" does not hit "12"). */
function containsKeyword(haystack: string, keyword: string): boolean {
  const needle = normalise(keyword);
  if (needle.length === 0) return false;
  const startsWord = wordChar.test(needle[0]!);
  const endsWord = wordChar.test(needle[needle.length - 1]!);
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    const before = at > 0 ? haystack[at - 1]! : '';
    const after = haystack[at + needle.length] ?? '';
    if (startsWord && before !== '' && wordChar.test(before)) continue;
    if (endsWord && after !== '' && wordChar.test(after)) continue;
    return true;
  }
  return false;
}

/** Keyword score of a continuation (pass the generated text only: the prompt would match its own words). */
export function keywordScore(text: string, expected: readonly ExpectedKeyword[]): KeywordScore | null {
  if (expected.length === 0) return null;
  const haystack = normalise(text);
  const matched: string[] = [];
  const missing: string[] = [];
  for (const group of expected) {
    const alternatives = typeof group === 'string' ? [group] : group;
    const hit = alternatives.find((k) => containsKeyword(haystack, k));
    if (hit !== undefined) matched.push(hit);
    else missing.push(alternatives[0] ?? '');
  }
  return { score: matched.length / expected.length, matched, missing };
}
