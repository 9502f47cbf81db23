// runs.archive and runs.delete through the real dispatcher: a run still training (here or in another process) is
// not archived; delete needs an explicit `confirm: true`, refuses unarchived and running runs as conflicts, and
// an archived run goes with its checkpoint files while the others stay.
import { describe, it, expect, afterAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { requests } from '../../shared/api/index.ts';
import { resolveConfig } from '../../shared/config.ts';
import { createDispatcher } from './dispatcher.ts';
import { runHandlers } from './runs-handlers.ts';
import { scriptedServices, tinyConfig } from '../scheduler/testing/harness.ts';

const services = await scriptedServices();
afterAll(() => services.close());
const dispatcher = createDispatcher(runHandlers(services));

describe('runs.archive', () => {
  it('refuses a run another Loupe process is training, as the CLI does', async () => {
    const parsed = resolveConfig(tinyConfig('elsewhere', 100));
    if (!parsed.ok) throw new Error('bad config');
    // The parent process (the test runner) is alive and is not this process: a run it owns is driven elsewhere.
    const run = services.store.runs.create({ name: 'elsewhere', config: parsed.config, status: 'running', ownerPid: process.ppid });
    const reply = await dispatcher.dispatch('runs.archive', { runId: run.id, archived: true });
    expect(reply).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(!reply.ok && reply.error.message).toContain('is running; stop it before archiving it');
    expect(services.store.runs.require(run.id).archived).toBe(false);
    // Unarchiving is never refused; once the other process is done, archiving works.
    expect(await dispatcher.dispatch('runs.archive', { runId: run.id, archived: false })).toMatchObject({ ok: true });
    services.store.runs.setStatus(run.id, 'stopped');
    expect(await dispatcher.dispatch('runs.archive', { runId: run.id, archived: true })).toMatchObject({ ok: true, result: { archived: true } });
    services.runs.delete(run.id);
  });
});

describe('runs.delete', () => {
  it('rejects params without an explicit confirm: true, naming the field', async () => {
    for (const params of [{ runId: 'x' }, { runId: 'x', confirm: false }, { runId: 'x', confirm: 'yes' }, { runId: 'x', confirm: 1 }]) {
      expect(await dispatcher.dispatch('runs.delete', params)).toMatchObject({ ok: false, error: { code: 'bad_request', issues: [{ path: 'confirm' }] } });
    }
    expect(await dispatcher.dispatch('runs.delete', { confirm: true })).toMatchObject({ ok: false, error: { code: 'bad_request', issues: [{ path: 'runId' }] } });
    expect(await dispatcher.dispatch('runs.delete', { runId: '', confirm: true })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await dispatcher.dispatch('runs.delete', { runId: 'x', confirm: true, force: true })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await dispatcher.dispatch('runs.delete', { runId: 'nope', confirm: true })).toMatchObject({ ok: false, error: { code: 'not_found', message: 'no run with id or name "nope"' } });
  });

  it('refuses unarchived and running runs; deletes an archived one with its files', async () => {
    const kept = services.runs.start({ config: tinyConfig('kept', 20) });
    await services.runs.waitForEnd(kept.id);
    const doomed = services.runs.start({ config: tinyConfig('to delete', 20), baselineId: kept.id });
    await services.runs.waitForEnd(doomed.id);
    const child = services.runs.start({ config: tinyConfig('child', 10), baselineId: doomed.id });
    await services.runs.waitForEnd(child.id);

    const notArchived = await dispatcher.dispatch('runs.delete', { runId: doomed.id, confirm: true });
    expect(notArchived).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(!notArchived.ok && notArchived.error.message).toContain('not archived');

    const long = services.runs.start({ config: tinyConfig('long ms=5', 10_000) });
    // Archiving it is refused (below); a run archived earlier and resumed since gets here.
    services.store.runs.patch(long.id, { archived: true });
    const running = await dispatcher.dispatch('runs.delete', { runId: long.id, confirm: true });
    expect(running).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(!running.ok && running.error.message).toMatch(/is (queued|running); stop it/);
    services.runs.stop(long.id);
    await services.runs.waitForEnd(long.id);

    const folder = path.join(services.dataDir, 'runs', doomed.id);
    const checkpoints = services.runs.get(doomed.id).checkpoints;
    expect(checkpoints.length, JSON.stringify(services.runs.get(doomed.id).run)).toBeGreaterThan(0);
    services.runs.archive(doomed.id, true);
    const reply = await dispatcher.dispatch('runs.delete', { runId: doomed.id.slice(-4), confirm: true });
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    expect(requests['runs.delete'].result.safeParse(reply.result).success).toBe(true);
    expect(reply.result).toEqual({ runId: doomed.id, deletedFiles: expect.any(Number) as number });
    expect((reply.result as { deletedFiles: number }).deletedFiles).toBeGreaterThanOrEqual(checkpoints.length);
    expect(fs.existsSync(folder)).toBe(false);

    expect(await dispatcher.dispatch('runs.get', { runId: doomed.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(services.runs.get(child.id).run.baselineId).toBeNull();
    expect(services.runs.get(kept.id).checkpoints.every((c) => fs.existsSync(c.path))).toBe(true);
    expect(services.runs.list({ includeArchived: true }).map((r) => r.id).sort()).toEqual([kept.id, child.id, long.id].sort());
    expect(services.store.integrityCheck()).toBe('ok');
  });
});
