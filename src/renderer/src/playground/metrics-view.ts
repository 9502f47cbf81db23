// Which numbers the metrics panel and grid cells show, and how alarming each is (DESIGN §5 thresholds:
// seq-rep-4 > 0.5 is collapse; MLE greedy ≈ 0.44, human text ≈ 0.006).
import { isMemorized, memorizedThreshold, MEMORIZED_MIN_TOKENS } from '../../../shared/generation/memorization.ts';
import type { PromptSetSummary, SampleDiagnostics } from '../../../shared/generation/diagnosis.ts';
import { formatValue } from '../lib/format.ts';

export type Level = 'ok' | 'warn' | 'bad' | 'none';

export interface MetricRow {
  key: string;
  label: string;
  value: string;
  level: Level;
  hint: string;
}

const pct = (v: number): string => `${(v * 100).toFixed(v >= 0.1 ? 0 : 1)}%`;

/** seq-rep-n: repeated n-gram fraction. Higher orders matter more: a repeated 4-gram is a phrase, a repeated byte is spelling. */
export function seqRepLevel(v: number, n: number): Level {
  if (n < 3) return 'none';
  if (v > 0.5) return 'bad';
  if (v > 0.2) return 'warn';
  return 'ok';
}

function distinctLevel(v: number, n: number): Level {
  if (n < 2) return 'none';
  if (v < 0.3) return 'bad';
  if (v < 0.6) return 'warn';
  return 'ok';
}

function keywordLevel(v: number): Level {
  return v >= 1 ? 'ok' : v > 0 ? 'warn' : 'bad';
}

export function metricRows(d: SampleDiagnostics): MetricRow[] {
  const rows: MetricRow[] = [];
  for (const n of [1, 2, 3, 4] as const) {
    rows.push({
      key: `seq-rep-${n}`,
      label: `seq-rep-${n}`,
      value: pct(d.seqRep[n]),
      level: seqRepLevel(d.seqRep[n], n),
      hint: `1 − unique ${n}-grams / ${n}-grams. Greedy MLE ≈ 44% at n = 4, human text ≈ 0.6%.`,
    });
  }
  for (const n of [1, 2] as const) {
    rows.push({
      key: `distinct-${n}`,
      label: `distinct-${n}`,
      value: pct(d.distinct[n]),
      level: distinctLevel(d.distinct[n], n),
      hint: `unique ${n}-grams / ${n}-grams`,
    });
  }
  rows.push({
    key: 'entropy',
    label: 'mean entropy',
    value: d.meanEntropy === null ? '—' : `${formatValue(d.meanEntropy, 3)} nats`,
    level: 'none',
    hint: 'Mean entropy of the next-token distribution over the generated positions.',
  });
  rows.push({
    key: 'loop',
    label: 'loop',
    value: d.loop ? `period ${d.loop.period} × ${d.loop.repeats}` : 'none',
    level: d.loop ? 'bad' : 'ok',
    hint: d.loop ? `Tokens ${d.loop.start}–${d.loop.end} repeat a cycle of ${d.loop.period} tokens.` : 'The tail does not repeat a cycle 3 or more times.',
  });
  rows.push({
    key: 'keyword',
    label: 'keyword score',
    value: d.keyword ? `${pct(d.keyword.score)} (${d.keyword.matched.length}/${d.keyword.matched.length + d.keyword.missing.length})` : '—',
    level: d.keyword ? keywordLevel(d.keyword.score) : 'none',
    hint: d.keyword
      ? `found: ${d.keyword.matched.join(', ') || 'none'}; missing: ${d.keyword.missing.join(', ') || 'none'}`
      : 'No expected keywords for this prompt.',
  });
  const m = d.memorization;
  const memorized = m !== null && isMemorized(m);
  rows.push({
    key: 'memorized',
    label: 'memorised span',
    value: m === null ? '—' : m.length === 0 ? 'none' : memorized ? `${m.length} tokens` : `none (longest match ${m.length}: chance)`,
    level: m === null ? 'none' : memorized ? (m.length >= 2 * memorizedThreshold(m.occurrences) ? 'bad' : 'warn') : 'ok',
    hint:
      m && m.length > 0
        ? `Longest verbatim training span: ${m.length} tokens at training offset ${m.sourceOffset}, occurring ${m.occurrences}×. ` +
          `Counts as memorised from ${memorizedThreshold(m.occurrences)} tokens (${MEMORIZED_MIN_TOKENS} for a passage seen once, more the more common it is).`
        : 'Longest span found verbatim in the training data.',
  });
  return rows;
}

/** One column's footer in the grid: the prompt-set summary, with sameness across the column's prompts. */
export function summaryRows(s: PromptSetSummary): MetricRow[] {
  return [
    { key: 'seq-rep-4', label: 'seq-rep-4', value: pct(s.seqRep4), level: seqRepLevel(s.seqRep4, 4), hint: 'Mean over the column.' },
    { key: 'distinct-2', label: 'distinct-2', value: pct(s.distinct2), level: distinctLevel(s.distinct2, 2), hint: 'Mean over the column.' },
    { key: 'entropy', label: 'entropy', value: s.meanEntropy === null ? '—' : formatValue(s.meanEntropy, 3), level: 'none', hint: 'Mean next-token entropy (nats).' },
    { key: 'loops', label: 'loops', value: `${Math.round(s.loopFraction * s.samples)}/${s.samples}`, level: s.loopFraction > 0.5 ? 'bad' : s.loopFraction > 0 ? 'warn' : 'ok', hint: 'Samples whose tail loops.' },
    { key: 'keyword', label: 'keywords', value: s.keywordScore === null ? '—' : pct(s.keywordScore), level: s.keywordScore === null ? 'none' : keywordLevel(s.keywordScore), hint: 'Mean keyword score over prompts with expected keywords.' },
    {
      key: 'sameness',
      label: 'sameness',
      value: `${pct(s.sameness.score)}${s.sameness.flagged ? ` · ${s.sameness.largestGroup} alike` : ''}`,
      level: s.sameness.flagged ? 'bad' : s.sameness.score > 0.5 ? 'warn' : 'ok',
      hint: 'Cross-prompt sameness: mean pairwise 4-gram Jaccard of outputs for different prompts; flagged when most collapse onto one answer.',
    },
  ];
}

/** Direction of a change between two columns for a metric where `higherIsBetter` says which way is good. */
export function trend(prev: number | null, next: number | null, higherIsBetter: boolean, eps = 0.02): 'better' | 'worse' | 'same' | null {
  if (prev === null || next === null) return null;
  const d = next - prev;
  if (Math.abs(d) <= eps) return 'same';
  return d > 0 === higherIsBetter ? 'better' : 'worse';
}
