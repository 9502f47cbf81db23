// A non-finite loss through the scheduler with the real monitor: the run pauses (not fails) at its last good
// checkpoint with an error alert, stays resumable, and the stored alerts recompute the same.
import { afterEach, describe, expect, it } from 'vitest';
import type { Services } from '../services.ts';
import { scriptedServices, tinyConfig } from '../scheduler/testing/harness.ts';
import { monitorForRun } from './monitor.ts';

let open: Services[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

describe('non-finite loss in a run', () => {
  it('pauses at the last good checkpoint with one error alert, and can be resumed', async () => {
    const s = await scriptedServices({ monitorFactory: monitorForRun });
    open.push(s);
    const events: string[] = [];
    s.events.on('run.alert', ({ alert }) => events.push(`${alert.kind}:${alert.severity}`));
    const run = s.runs.start({ config: tinyConfig('nan@13', 40) });
    const end = await s.runs.waitForEnd(run.id);
    expect(end.status).toBe('paused');
    expect(end.error).toMatch(/non-finite loss at step 13.*paused at its last good checkpoint \(step 10\)/);

    const alerts = s.runs.alerts(run.id);
    const nf = alerts.filter((a) => a.kind === 'non_finite');
    expect(nf).toHaveLength(1);
    expect(nf[0]).toMatchObject({ severity: 'error', step: 13 });
    expect(nf[0].evidence['train/loss']).toBe('NaN');
    expect(events).toContain('non_finite:error');
    expect(s.runs.recomputeAlerts(run.id).map((a) => [a.kind, a.step, a.message])).toEqual(alerts.map((a) => [a.kind, a.step, a.message]));

    // Resumable: it restarts from step 10 (and, with the same recipe, meets the NaN again).
    const resumed = s.runs.resume(run.id).run;
    expect(resumed.status).toBe('queued');
    expect((await s.runs.waitForEnd(run.id)).status).toBe('paused');
    expect(s.runs.alerts(run.id).filter((a) => a.kind === 'non_finite')).toHaveLength(1);
  });
});
