// Alert helpers the UI and CLI share: one entry per episode, notifications only for new or escalated alerts.
import { describe, expect, it } from 'vitest';
import { alertSteps, alertTitle, shouldAnnounce, upsertAlert, type Alert, type Severity } from './alerts.ts';

const spike = (severity: Severity, classification: string, stepEnd: number | null): Alert => ({
  id: 'r1:loss_spike:300', runId: 'r1', kind: 'loss_spike', severity, step: 300, stepEnd, message: 'm', advice: 'a', evidence: { classification },
});

describe('alert helpers', () => {
  it('upsertAlert replaces an episode by id and appends new ones', () => {
    let list = upsertAlert([], spike('info', 'pending', null));
    list = upsertAlert(list, spike('warning', 'not_recovering', 400));
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ severity: 'warning', stepEnd: 400 });
    list = upsertAlert(list, { ...spike('info', 'recovered', 305), id: 'r1:loss_spike:900', step: 900 });
    expect(list.map((a) => a.step)).toEqual([300, 900]);
  });

  it('announces warnings once per episode, again only when the severity rises', () => {
    const seen = new Map<string, Severity>();
    expect(shouldAnnounce(seen, spike('info', 'pending', null))).toBe(false);
    expect(shouldAnnounce(seen, spike('warning', 'not_recovering', 400))).toBe(true);
    expect(shouldAnnounce(seen, spike('warning', 'not_recovering', 401))).toBe(false);
    expect(shouldAnnounce(seen, spike('error', 'x', 402))).toBe(true);
  });

  it('titles and step ranges read as a practitioner would say them', () => {
    expect(alertTitle(spike('warning', 'not_recovering', 400))).toBe('loss spike (not recovering)');
    expect(alertTitle(spike('info', 'pending', null))).toBe('loss spike');
    expect(alertSteps(spike('info', 'pending', null))).toBe('step 300');
    expect(alertSteps(spike('info', 'recovered', 303))).toBe('steps 300–303');
  });
});
