// diagnoseSample bundles the metrics into a schema-valid, JSON-safe object; the prompt-set summary
// turns a set of them into gen/* metrics and response-collapse evidence.
import { describe, it, expect } from 'vitest';
import {
  GenMetricKey,
  SampleDiagnostics,
  collapseEvidence,
  diagnoseSample,
  genMetrics,
  summarizePromptSet,
} from './diagnosis.ts';
import { textToTokens } from './metrics.ts';

const sample = (text: string, extra: Partial<Parameters<typeof diagnoseSample>[0]> = {}) => {
  const tokens = textToTokens(text);
  return { tokens, diagnostics: diagnoseSample({ tokens, text, ...extra }) };
};

describe('diagnoseSample', () => {
  it('bundles every measure and survives a JSON round trip through the schema', () => {
    const text = ' Ishmael. I have more. I have more. I have more.';
    const { diagnostics } = sample(text, {
      entropies: [0.5, 1.5, 1.0],
      expectedKeywords: ['Ishmael', 'whale'],
      memorization: { length: 9, outputStart: 0, sourceOffset: 1234, occurrences: 2 },
    });
    expect(diagnostics.tokens).toBe(text.length);
    expect(diagnostics.meanEntropy).toBe(1);
    expect(diagnostics.loop).toMatchObject({ period: 13, end: text.length });
    expect(diagnostics.keyword).toEqual({ score: 0.5, matched: ['Ishmael'], missing: ['whale'] });
    expect(diagnostics.seqRep[4]).toBeGreaterThan(0.5);
    expect(diagnostics.distinct[1] + diagnostics.seqRep[1]).toBeCloseTo(1, 12);
    const roundTrip = SampleDiagnostics.parse(JSON.parse(JSON.stringify(diagnostics)));
    expect(roundTrip).toEqual(diagnostics);
  });

  it('leaves out what was not measured', () => {
    const d = diagnoseSample({ tokens: [1, 2, 3, 4, 5] });
    expect(d).toMatchObject({ meanEntropy: null, loop: null, keyword: null, memorization: null });
    expect(d.seqRep).toEqual({ 1: 0, 2: 0, 3: 0, 4: 0 });
    expect(SampleDiagnostics.safeParse(d).success).toBe(true);
  });
});

describe('summarizePromptSet', () => {
  it('gives healthy numbers for varied prose', () => {
    const samples = [
      sample(' Ishmael, and the sea was grey.', { expectedKeywords: ['Ishmael'], entropies: [2, 2] }),
      sample(' Ahab paced the deck all night long.', { expectedKeywords: ['Ahab'], entropies: [1, 1] }),
      sample(' The harpooneers slept below in hammocks.', { expectedKeywords: ['Queequeg'] }),
    ];
    const s = summarizePromptSet(samples);
    expect(s.samples).toBe(3);
    expect(s.loopFraction).toBe(0);
    expect(s.keywordScore).toBeCloseTo(2 / 3, 12);
    expect(s.meanEntropy).toBe(1.5);
    expect(s.memorizedLength).toBeNull();
    expect(collapseEvidence(s)).toEqual([]);
    const m = genMetrics(s);
    expect(m[GenMetricKey.keywordScore]).toBeCloseTo(2 / 3, 12);
    expect(m[GenMetricKey.loopFraction]).toBe(0);
    expect(GenMetricKey.memorizedLength in m).toBe(false);
  });

  it('reports response collapse with evidence', () => {
    const collapsed = ' I have more. I have more. I have more. I have more.';
    const s = summarizePromptSet([sample(collapsed), sample(collapsed), sample(' the the the the the the the')]);
    expect(s.loopFraction).toBe(1);
    expect(s.seqRep4).toBeGreaterThan(0.5);
    expect(s.sameness.flagged).toBe(true);
    const evidence = collapseEvidence(s);
    expect(evidence).toHaveLength(3);
    expect(evidence[1]).toBe('repetition loop in 3 of 3 samples');
  });
});
