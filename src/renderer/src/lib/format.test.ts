// Formatting used in the runs table and the run page.
import { describe, it, expect } from 'vitest';
import { formatValue, formatCount, formatDuration, estimateEtaMs, formatAxis, niceLog } from './format.ts';

describe('format', () => {
  it('formats metric values compactly', () => {
    expect(formatValue(2.345678)).toBe('2.346');
    expect(formatValue(3e-4, 3)).toBe('3e-4');
    expect(formatValue(8.12345e-4, 6)).toBe('8.12345e-4');
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(Infinity)).toBe('∞');
    expect(formatValue(null)).toBe('—');
  });
  it('formats axis ticks exactly and short', () => {
    expect(formatAxis(5.5425)).toBe('5.5425');
    expect(formatAxis(0.00025)).toBe('2.5e-4');
    expect(formatAxis(2e6)).toBe('2e6');
  });
  it('rounds log-axis bounds to the 1-2-5 grid', () => {
    expect(niceLog(2.08, 'down')).toBe(2);
    expect(niceLog(6.1, 'up')).toBe(10);
    expect(niceLog(9e-6, 'down')).toBeCloseTo(5e-6);
    expect(niceLog(0.0011, 'up')).toBeCloseTo(0.002);
    expect(niceLog(2, 'up')).toBe(2);
  });
  it('formats counts and durations', () => {
    expect(formatCount(834_560)).toBe('835k');
    expect(formatCount(2_500_000)).toBe('2.5M');
    expect(formatDuration(65_000)).toBe('1m 05s');
    expect(formatDuration(3_700_000)).toBe('1h 01m');
  });
  it('estimates the time left from tokens/s, else from elapsed time per step', () => {
    const base = { status: 'running', steps: 100, plannedSteps: 300, startedAt: 0, tokensPerUpdate: 768, tokensPerS: 7680 };
    expect(estimateEtaMs(base, 10_000)).toBeCloseTo(20_000);
    expect(estimateEtaMs({ ...base, tokensPerS: null }, 10_000)).toBeCloseTo(20_000);
    expect(estimateEtaMs({ ...base, status: 'finished' })).toBeNull();
  });
});
