// Suffix array of an integer sequence by prefix doubling with radix sorts: O(n log L) for L the longest
// repeated substring (≤ O(n log n)), a few flat Int32Arrays of memory, no comparison sorts.

/**
 * Returns sa with sa[r] = start of the r-th smallest suffix; a suffix that is a prefix of another sorts
 * first (the end of the sequence is smaller than any token). Tokens must be integers ≥ 0.
 */
export function buildSuffixArray(tokens: ArrayLike<number>): Int32Array {
  const n = tokens.length;
  const sa = new Int32Array(n);
  if (n === 0) return sa;
  let rank = denseRanks(tokens);
  let classes = 0;
  for (let i = 0; i < n; i++) classes = Math.max(classes, rank[i]! + 1);

  // Round 0: counting sort by the first token.
  const countSize = Math.max(n, classes) + 1;
  const counts = new Int32Array(countSize);
  for (let i = 0; i < n; i++) counts[rank[i]!]!++;
  prefixSums(counts, classes);
  for (let i = n - 1; i >= 0; i--) sa[--counts[rank[i]!]!] = i;

  const bySecond = new Int32Array(n);
  let next = new Int32Array(n);
  for (let k = 1; classes < n; k *= 2) {
    // Order by the second key (rank of the suffix k further on): suffixes with nothing there come first,
    // then the rest in the order the previous round sorted their second halves.
    let m = 0;
    for (let i = n - k; i < n; i++) bySecond[m++] = i;
    for (let r = 0; r < n; r++) {
      const s = sa[r]!;
      if (s >= k) bySecond[m++] = s - k;
    }
    // Stable counting sort by the first key.
    counts.fill(0, 0, classes + 1);
    for (let i = 0; i < n; i++) counts[rank[i]!]!++;
    prefixSums(counts, classes);
    for (let j = n - 1; j >= 0; j--) {
      const s = bySecond[j]!;
      sa[--counts[rank[s]!]!] = s;
    }
    // New ranks: equal (first, second) pairs share a class.
    next[sa[0]!] = 0;
    let cls = 0;
    for (let r = 1; r < n; r++) {
      const a = sa[r - 1]!;
      const b = sa[r]!;
      const secondA = a + k < n ? rank[a + k]! : -1;
      const secondB = b + k < n ? rank[b + k]! : -1;
      if (rank[a] !== rank[b] || secondA !== secondB) cls++;
      next[b] = cls;
    }
    classes = cls + 1;
    [rank, next] = [next, rank];
  }
  return sa;
}

/** Turns counts[0..classes) into exclusive end positions (counts[c] = number of items with key ≤ c). */
function prefixSums(counts: Int32Array, classes: number): void {
  for (let c = 1; c < classes; c++) counts[c]! += counts[c - 1]!;
}

/** Maps tokens to 0..(distinct − 1) preserving order, so counting sorts stay small for any vocabulary. */
function denseRanks(tokens: ArrayLike<number>): Int32Array {
  const n = tokens.length;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const t = tokens[i]!;
    if (!Number.isInteger(t) || t < 0 || t > 0x7fffffff) throw new RangeError(`token at ${i} is not an integer id ≥ 0: ${t}`);
    if (t > max) max = t;
  }
  const rank = new Int32Array(n);
  if (max <= 4 * n + 65536) {
    const present = new Int32Array(max + 1);
    for (let i = 0; i < n; i++) present[tokens[i]!] = 1;
    let next = 0;
    for (let v = 0; v <= max; v++) present[v] = present[v] ? next++ : -1;
    for (let i = 0; i < n; i++) rank[i] = present[tokens[i]!]!;
    return rank;
  }
  const values = Float64Array.from(new Set(Array.from(tokens))).sort();
  const of = new Map<number, number>();
  values.forEach((v, i) => of.set(v, i));
  for (let i = 0; i < n; i++) rank[i] = of.get(tokens[i]!)!;
  return rank;
}
