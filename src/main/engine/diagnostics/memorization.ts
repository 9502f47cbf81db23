// Memorisation index (DESIGN §5): a suffix array over a dataset's training token stream, built once and
// cached on disk by dataset hash, answering "the longest span of this output found verbatim in training".
import type { MemorizationMatch } from '../../../shared/generation/diagnosis.ts';
import { buildSuffixArray } from './suffix-array.ts';

const MAGIC = 0x4d454d58; // "MEMX"
const VERSION = 1;
const HEADER = 3;

/** Tokens compared per adjacent suffix pair when loading a cached index: bounds the check to O(64 n). */
const LOAD_CHECK_DEPTH = 64;

export class MemorizationIndex {
  private constructor(
    /** The training token stream. */
    readonly tokens: Int32Array,
    /** Its suffix array. */
    readonly suffixArray: Int32Array,
  ) {}

  static build(trainTokens: ArrayLike<number>): MemorizationIndex {
    const tokens = Int32Array.from(trainTokens);
    return new MemorizationIndex(tokens, buildSuffixArray(tokens));
  }

  get size(): number {
    return this.tokens.length;
  }

  /** One flat array, [magic, version, n, tokens…, suffix array…], to write to the cache as its bytes. */
  toInt32Array(): Int32Array {
    const n = this.tokens.length;
    const out = new Int32Array(HEADER + 2 * n);
    out[0] = MAGIC;
    out[1] = VERSION;
    out[2] = n;
    out.set(this.tokens, HEADER);
    out.set(this.suffixArray, HEADER + n);
    return out;
  }

  /**
   * Loads what toInt32Array wrote. A cache file is untrusted: the header, the lengths, the suffix array
   * being a permutation and the order of every adjacent pair (to LOAD_CHECK_DEPTH tokens) are checked,
   * with one-line errors.
   */
  static fromInt32Array(data: Int32Array, source = 'memorisation index'): MemorizationIndex {
    if (data.length < HEADER || data[0] !== MAGIC) throw new Error(`${source}: not a memorisation index`);
    if (data[1] !== VERSION) throw new Error(`${source}: unsupported index version ${data[1]} (expected ${VERSION})`);
    const n = data[2]!;
    if (n < 0 || data.length !== HEADER + 2 * n) throw new Error(`${source}: truncated or corrupt (length ${data.length}, header says ${n} tokens)`);
    const tokens = data.slice(HEADER, HEADER + n);
    const sa = data.slice(HEADER + n);
    const seen = new Uint8Array(n);
    for (let r = 0; r < n; r++) {
      const s = sa[r]!;
      if (s < 0 || s >= n || seen[s]) throw new Error(`${source}: corrupt suffix array at rank ${r}`);
      seen[s] = 1;
    }
    const index = new MemorizationIndex(tokens, sa);
    for (let r = 1; r < n; r++) {
      if (index.compareSuffixes(sa[r - 1]!, sa[r]!, LOAD_CHECK_DEPTH) > 0) throw new Error(`${source}: suffix array out of order at rank ${r}`);
    }
    return index;
  }

  /** Longest span of `output` occurring verbatim in the training stream: the earliest such span, and its first occurrence. */
  longestMatch(output: ArrayLike<number>): MemorizationMatch {
    let best = { length: 0, outputStart: 0, lo: 0, hi: 0 };
    for (let i = 0; i < output.length && output.length - i > best.length; i++) {
      const m = this.matchAt(output, i);
      if (m.length > best.length) best = { ...m, outputStart: i };
    }
    if (best.length === 0) return { length: 0, outputStart: 0, sourceOffset: 0, occurrences: 0 };
    let first = this.suffixArray[best.lo]!;
    for (let r = best.lo + 1; r < best.hi; r++) first = Math.min(first, this.suffixArray[r]!);
    return { length: best.length, outputStart: best.outputStart, sourceOffset: first, occurrences: best.hi - best.lo };
  }

  /** For each output position, the length of the longest prefix of output[i..] found in training (matching statistics). */
  matchLengths(output: ArrayLike<number>): Int32Array {
    const out = new Int32Array(output.length);
    for (let i = 0; i < output.length; i++) out[i] = this.matchAt(output, i).length;
    return out;
  }

  /**
   * Narrows the suffix-array interval one token at a time: after d steps [lo, hi) holds exactly the
   * suffixes that start with output[i..i+d). Each step is two binary searches, O(log n).
   */
  private matchAt(output: ArrayLike<number>, i: number): { length: number; lo: number; hi: number } {
    let lo = 0;
    let hi = this.tokens.length;
    let d = 0;
    while (i + d < output.length) {
      const c = output[i + d]!;
      const from = this.lowerBound(lo, hi, d, c);
      const to = this.lowerBound(from, hi, d, c + 1);
      if (from === to) break;
      lo = from;
      hi = to;
      d++;
    }
    return { length: d, lo, hi };
  }

  /** First rank in [lo, hi) whose suffix has a token ≥ c at depth d (a suffix ending before d counts as −1). */
  private lowerBound(lo: number, hi: number, d: number, c: number): number {
    const { tokens, suffixArray } = this;
    const n = tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = suffixArray[mid]! + d;
      const t = p < n ? tokens[p]! : -1;
      if (t < c) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Lexicographic comparison of two suffixes over at most `depth` tokens (0 when equal that far). */
  private compareSuffixes(a: number, b: number, depth: number): number {
    const { tokens } = this;
    const n = tokens.length;
    for (let d = 0; d < depth; d++) {
      const ta = a + d < n ? tokens[a + d]! : -1;
      const tb = b + d < n ? tokens[b + d]! : -1;
      if (ta !== tb) return ta - tb;
      if (ta === -1) return 0;
    }
    return 0;
  }
}
