// Suffix array of an integer sequence by SA-IS (Nong, Zhang & Chan 2009; laid out as in the AtCoder
// Library): O(n) time whatever the repetitiveness, so duplicated documents in a dataset cost nothing extra.

/**
 * Returns sa with sa[r] = start of the r-th smallest suffix; a suffix that is a prefix of another sorts
 * first (the end of the sequence is smaller than any token). Tokens must be integers ≥ 0.
 */
export function buildSuffixArray(tokens: ArrayLike<number>): Int32Array {
  const { ranks, upper } = denseRanks(tokens);
  return saIs(ranks, upper);
}

/** Below this length a comparison sort is faster than setting up the induced sort. */
const NAIVE_BELOW = 16;

function naive(s: Int32Array): Int32Array {
  const n = s.length;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => {
    for (; a < n && b < n; a++, b++) if (s[a] !== s[b]) return s[a]! - s[b]!;
    return a === n ? -1 : 1; // the shorter suffix (reached the end first) is smaller; a ≠ b so not both
  });
  return Int32Array.from(order);
}

/** SA-IS on s with values in [0, upper]. */
function saIs(s: Int32Array, upper: number): Int32Array {
  const n = s.length;
  if (n < NAIVE_BELOW) return naive(s);

  // ls[i] = 1 when suffix i is S-type (smaller than suffix i+1); the last suffix is L-type.
  const ls = new Uint8Array(n);
  for (let i = n - 2; i >= 0; i--) ls[i] = s[i] === s[i + 1] ? ls[i + 1]! : s[i]! < s[i + 1]! ? 1 : 0;

  // Bucket c holds its L-type suffixes first, then its S-type ones: sumL[c] / sumS[c] are where each part starts.
  const sumL = new Int32Array(upper + 2);
  const sumS = new Int32Array(upper + 2);
  for (let i = 0; i < n; i++) {
    if (!ls[i]) sumS[s[i]!]!++;
    else sumL[s[i]! + 1]!++;
  }
  for (let c = 0; c <= upper; c++) {
    sumS[c]! += sumL[c]!;
    if (c < upper) sumL[c + 1]! += sumS[c]!;
  }

  const sa = new Int32Array(n);
  const buf = new Int32Array(upper + 2);
  const induce = (lms: Int32Array): void => {
    sa.fill(-1);
    buf.set(sumS);
    for (let j = 0; j < lms.length; j++) {
      const d = lms[j]!;
      if (d !== n) sa[buf[s[d]!]!++] = d;
    }
    buf.set(sumL);
    sa[buf[s[n - 1]!]!++] = n - 1;
    for (let i = 0; i < n; i++) {
      const v = sa[i]!;
      if (v >= 1 && !ls[v - 1]) sa[buf[s[v - 1]!]!++] = v - 1;
    }
    buf.set(sumL);
    for (let i = n - 1; i >= 0; i--) {
      const v = sa[i]!;
      if (v >= 1 && ls[v - 1]) sa[--buf[s[v - 1]! + 1]!] = v - 1;
    }
  };

  // LMS positions: S-type with an L-type left neighbour.
  const lmsMap = new Int32Array(n + 1).fill(-1);
  let m = 0;
  for (let i = 1; i < n; i++) if (!ls[i - 1] && ls[i]) lmsMap[i] = m++;
  const lms = new Int32Array(m);
  for (let i = 1, j = 0; i < n; i++) if (!ls[i - 1] && ls[i]) lms[j++] = i;

  induce(lms);
  if (m === 0) return sa;

  // Name the LMS substrings in their induced order, then sort them recursively if names repeat.
  const sortedLms = new Int32Array(m);
  for (let i = 0, j = 0; i < n; i++) {
    const v = sa[i]!;
    if (lmsMap[v] !== -1) sortedLms[j++] = v;
  }
  const recS = new Int32Array(m);
  let recUpper = 0;
  recS[lmsMap[sortedLms[0]!]!] = 0;
  for (let i = 1; i < m; i++) {
    let l = sortedLms[i - 1]!;
    let r = sortedLms[i]!;
    const endL = lmsMap[l]! + 1 < m ? lms[lmsMap[l]! + 1]! : n;
    const endR = lmsMap[r]! + 1 < m ? lms[lmsMap[r]! + 1]! : n;
    let same = true;
    if (endL - l !== endR - r) same = false;
    else {
      while (l < endL && s[l] === s[r]) {
        l++;
        r++;
      }
      if (l === n || s[l] !== s[r]) same = false;
    }
    if (!same) recUpper++;
    recS[lmsMap[sortedLms[i]!]!] = recUpper;
  }
  const recSa = saIs(recS, recUpper);
  for (let i = 0; i < m; i++) sortedLms[i] = lms[recSa[i]!]!;
  induce(sortedLms);
  return sa;
}

/** Maps tokens to 0..upper preserving order, so buckets stay small for any vocabulary. */
function denseRanks(tokens: ArrayLike<number>): { ranks: Int32Array; upper: number } {
  const n = tokens.length;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const t = tokens[i]!;
    if (!Number.isInteger(t) || t < 0 || t > 0x7fffffff) throw new RangeError(`token at ${i} is not an integer id ≥ 0: ${t}`);
    if (t > max) max = t;
  }
  const ranks = new Int32Array(n);
  let distinct = 0;
  if (max <= 4 * n + 65536) {
    const code = new Int32Array(max + 1);
    for (let i = 0; i < n; i++) code[tokens[i]!] = 1;
    for (let v = 0; v <= max; v++) code[v] = code[v] ? distinct++ : -1;
    for (let i = 0; i < n; i++) ranks[i] = code[tokens[i]!]!;
  } else {
    const values = Float64Array.from(new Set(Array.from(tokens))).sort();
    const code = new Map<number, number>();
    values.forEach((v, i) => code.set(v, i));
    for (let i = 0; i < n; i++) ranks[i] = code.get(tokens[i]!)!;
    distinct = values.length;
  }
  return { ranks, upper: Math.max(0, distinct - 1) };
}
