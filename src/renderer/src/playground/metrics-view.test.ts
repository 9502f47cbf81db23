// Metric rows and levels from real diagnostics: a looping text reads as bad, varied prose as fine.
import { describe, expect, it } from 'vitest';
import { diagnoseSample, summarizePromptSet } from '../../../shared/generation/diagnosis.ts';
import { textToTokens } from '../../../shared/generation/metrics.ts';
import { metricRows, seqRepLevel, summaryRows, trend } from './metrics-view.ts';

const diag = (text: string, expectedKeywords?: (string | string[])[]): ReturnType<typeof diagnoseSample> =>
  diagnoseSample({ tokens: textToTokens(text), text, entropies: [0.5, 1.5], expectedKeywords });

const row = (rows: ReturnType<typeof metricRows>, key: string) => rows.find((r) => r.key === key)!;

describe('metricRows', () => {
  it('flags a repetition loop and high seq-rep-4', () => {
    const rows = metricRows(diag('I have more. I have more. I have more. I have more. I have more.'));
    expect(row(rows, 'loop').level).toBe('bad');
    expect(row(rows, 'loop').value).toBe('period 13 × 4');
    expect(row(rows, 'seq-rep-4').level).toBe('bad');
    expect(row(rows, 'entropy').value).toBe('1 nats');
  });

  it('reads varied text as healthy and reports the keyword score with what matched', () => {
    const rows = metricRows(diag('The whale rose from the grey water, and Ahab watched it turn.', ['whale', ['ship', 'boat']]));
    expect(row(rows, 'loop').value).toBe('none');
    expect(row(rows, 'seq-rep-4').level).toBe('ok');
    expect(row(rows, 'keyword').value).toBe('50% (1/2)');
    expect(row(rows, 'keyword').hint).toContain('missing: ship');
    expect(row(rows, 'memorized').value).toBe('—');
  });

  it('calls a training match memorised only when it is longer than chance allows for how common it is', () => {
    const withMatch = (length: number, occurrences: number) => ({ ...diag('some text'), memorization: { length, occurrences, outputStart: 0, sourceOffset: 5 } });
    const common = row(metricRows(withMatch(7, 300)), 'memorized');
    expect(common.value).toBe('none (longest match 7: chance)');
    expect(common.level).toBe('ok');
    const passage = row(metricRows(withMatch(24, 1)), 'memorized');
    expect(passage.value).toBe('24 tokens');
    expect(passage.level).toBe('warn');
    expect(row(metricRows(withMatch(40, 1)), 'memorized').level).toBe('bad');
  });

  it('lists seq-rep-1..4 and distinct-1/2', () => {
    const keys = metricRows(diag('abc')).map((r) => r.key);
    expect(keys).toEqual(expect.arrayContaining(['seq-rep-1', 'seq-rep-2', 'seq-rep-3', 'seq-rep-4', 'distinct-1', 'distinct-2']));
  });
});

describe('summaryRows', () => {
  it('flags a column whose outputs for different prompts are the same', () => {
    const same = 'the sea the sea and the ship went on';
    const samples = ['a', 'b', 'c'].map(() => ({ tokens: textToTokens(same), diagnostics: diag(same) }));
    const rows = summaryRows(summarizePromptSet(samples));
    const sameness = rows.find((r) => r.key === 'sameness')!;
    expect(sameness.level).toBe('bad');
    expect(sameness.value).toBe('100% · 3 alike');
  });
});

describe('levels and trend', () => {
  it('ignores low orders for seq-rep and uses §5 thresholds at n = 4', () => {
    expect(seqRepLevel(0.9, 1)).toBe('none');
    expect(seqRepLevel(0.44, 4)).toBe('warn');
    expect(seqRepLevel(0.51, 4)).toBe('bad');
    expect(seqRepLevel(0.006, 4)).toBe('ok');
  });
  it('says which way a metric moved', () => {
    expect(trend(0.6, 0.2, false)).toBe('better');
    expect(trend(0.2, 0.6, false)).toBe('worse');
    expect(trend(0.5, 0.51, true)).toBe('same');
    expect(trend(null, 0.5, true)).toBeNull();
  });
});
