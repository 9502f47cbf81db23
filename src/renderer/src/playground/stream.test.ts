// Streamed tokens assemble in index order, survive repeats and gaps, and give way to the stored sample.
import { describe, expect, it } from 'vitest';
import { SampleDiagnostics } from '../../../shared/generation/diagnosis.ts';
import { Sample, SampleSettings } from '../../../shared/api/samples.ts';
import { applyDone, applyError, applyToken, isRunning, startStream, streamText } from './stream.ts';

const tok = (index: number, piece: string, sampleId = 's1') => ({ sampleId, index, piece, entropy: index / 10 });

describe('stream state', () => {
  it('assembles pieces in index order, ignoring other samples and exact repeats', () => {
    let s = startStream('s1', 0);
    s = applyToken(s, tok(0, 'Hel'));
    s = applyToken(s, tok(1, 'lo'));
    const before = s;
    s = applyToken(s, tok(1, 'lo'));
    expect(s).toBe(before);
    s = applyToken(s, tok(2, '!', 'other'));
    expect(streamText(s)).toBe('Hello');
    expect(s.entropies).toEqual([0, 0.1]);
    expect(s.phase).toBe('generating');
    expect(isRunning(s)).toBe(true);
  });

  it('holds a gap open until the missing token arrives', () => {
    let s = applyToken(startStream('s1', 0), tok(2, 'c'));
    expect(s.pieces).toEqual(['', '', 'c']);
    s = applyToken(applyToken(s, tok(0, 'a')), tok(1, 'b'));
    expect(streamText(s)).toBe('abc');
  });

  it('takes the stored sample as the final word', () => {
    const sample = Sample.parse({
      id: 's1', runId: 'r', runName: 'r', step: 10, prompt: 'p', settings: SampleSettings.parse({}), expectedKeywords: null,
      text: 'ab', pieces: ['a', 'b'], entropies: [1, 2],
      diagnostics: SampleDiagnostics.parse({ tokens: 2, seqRep: { 1: 0, 2: 0, 3: 0, 4: 0 }, distinct: { 1: 1, 2: 1, 3: 1, 4: 1 }, meanEntropy: 1.5, loop: null, keyword: null, memorization: null }),
      memorizedSource: null, finish: 'length', warnings: [], gridId: null, createdAt: 1, durationMs: 5, tokensPerS: 400,
    });
    let s = applyToken(startStream('s1', 0), tok(0, 'x'));
    s = applyDone(s, { sampleId: 's1', sample });
    expect(streamText(s)).toBe('ab');
    expect(s.entropies).toEqual([1, 2]);
    expect(isRunning(s)).toBe(false);
    expect(applyToken(s, tok(5, 'late'))).toBe(s);
  });

  it('records an error for its own sample only', () => {
    const s = startStream('s1', 0);
    expect(applyError(s, { sampleId: 'x', message: 'no' })).toBe(s);
    const e = applyError(s, { sampleId: 's1', message: 'checkpoint missing' });
    expect(e.error).toBe('checkpoint missing');
    expect(isRunning(e)).toBe(false);
  });
});
