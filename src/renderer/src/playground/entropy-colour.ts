// Per-token entropy → colour for the strip under the text: calm (confident) to hot (uncertain), on an
// absolute scale (ln of the vocabulary) so two samples from one tokenizer are comparable at a glance.

/** Upper end of the scale: ln(vocab) when known (a uniform distribution), else the largest value seen. */
export function entropyScaleMax(entropies: ArrayLike<number>, vocabSize?: number | null): number {
  if (vocabSize && vocabSize > 1) return Math.log(vocabSize);
  let max = 0;
  for (let i = 0; i < entropies.length; i++) {
    const h = entropies[i]!;
    if (Number.isFinite(h)) max = Math.max(max, h);
  }
  return max > 0 ? max : 1;
}

/** Fraction of the scale in [0, 1]; non-finite entropies read as 0 (nothing to show). */
export function entropyFraction(h: number, max: number): number {
  if (!Number.isFinite(h) || !(max > 0)) return 0;
  return Math.max(0, Math.min(1, h / max));
}

/** Hue from blue-green (0 nats) through yellow to red (max); lightness fixed so both themes read it. */
export function entropyColour(h: number, max: number): string {
  const f = entropyFraction(h, max);
  const hue = Math.round(200 - 200 * f);
  return `hsl(${hue} 75% 50%)`;
}

/**
 * Buckets a long strip into at most `width` cells (mean of each bucket), so 2k tokens stay one row of
 * readable cells instead of sub-pixel slivers.
 */
export function bucketEntropies(entropies: ArrayLike<number>, width: number): { value: number; from: number; to: number }[] {
  const n = entropies.length;
  if (n === 0 || width < 1) return [];
  const per = Math.max(1, Math.ceil(n / width));
  const out: { value: number; from: number; to: number }[] = [];
  for (let from = 0; from < n; from += per) {
    const to = Math.min(n, from + per);
    let sum = 0;
    let count = 0;
    for (let i = from; i < to; i++) {
      const h = entropies[i]!;
      if (Number.isFinite(h)) {
        sum += h;
        count++;
      }
    }
    out.push({ value: count ? sum / count : NaN, from, to });
  }
  return out;
}

/** Vocabulary size implied by a run's tokenizer setting; null for `char` (it depends on the corpus) or unknown values. */
export function vocabSizeOf(tokenizer: unknown): number | null {
  if (tokenizer === 'byte') return 256;
  if (tokenizer === 'gpt2') return 50257;
  return null;
}
