// Response collapse from the gen/* metrics recorded at each eval: info early in the run, a warning later.
import { describe, expect, it } from 'vitest';
import { ResponseCollapseDetector } from './response.ts';
import { alertsOf, testContext } from '../testing/helpers.ts';

describe('ResponseCollapseDetector', () => {
  it('repetitive samples after 20% of the run are a warning, merged across evals', () => {
    const ctx = testContext({}, 1000);
    const d = new ResponseCollapseDetector(ctx);
    for (const [t, rep] of [[100, 0.2], [500, 0.7], [600, 0.8], [700, 0.2]] as const) {
      d.observe(t, 'gen/seq_rep_4', rep);
      d.observe(t, 'gen/loop_fraction', 0.1);
    }
    const alerts = alertsOf(ctx);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'response_collapse', severity: 'warning', step: 500, stepEnd: 600 });
    expect(alerts[0].evidence).toMatchObject({ seq_rep_4: 0.8, loop_fraction: 0.1 });
  });

  it('looping samples in the first evals are info (under-trained models loop)', () => {
    const ctx = testContext({}, 1000);
    const d = new ResponseCollapseDetector(ctx);
    d.observe(50, 'gen/loop_fraction', 0.9);
    expect(alertsOf(ctx).map((a) => a.severity)).toEqual(['info']);
  });
});

describe('response collapse when fine-tuning (sft/*)', () => {
  it('warns when different held-out questions get near-identical answers, and when answers shrink', () => {
    const ctx = testContext({}, 100);
    const d = new ResponseCollapseDetector(ctx);
    d.observe(50, 'sft/near_identical', 0.05);
    d.observe(50, 'sft/length_ratio', 0.95);
    d.observe(50, 'sft/loop_fraction', 0);
    expect(alertsOf(ctx)).toHaveLength(0);
    d.observe(100, 'sft/near_identical', 0.8);
    d.observe(100, 'sft/length_ratio', 0.3);
    const [alert] = alertsOf(ctx);
    expect(alert).toMatchObject({ kind: 'response_collapse', severity: 'warning', step: 100 });
    expect(alert!.message).toMatch(/near-identical answers/);
    expect(alert!.message).toMatch(/answer length/);
    expect(alert!.evidence).toMatchObject({ sft_near_identical: 0.8, sft_length_ratio: 0.3 });
  });
});
