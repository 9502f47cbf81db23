// Every run request through the real dispatcher: results match the contract's result schemas, and
// expected failures come back as ApiErrors with the right code (unknown run, bad config, conflicts).
import { describe, it, expect, afterAll } from 'vitest';
import { requests, type RequestName } from '../../shared/api/index.ts';
import { createDispatcher, type Reply } from './dispatcher.ts';
import { runHandlers } from './runs-handlers.ts';
import { scriptedServices, tinyConfig } from '../scheduler/testing/harness.ts';

const services = await scriptedServices();
afterAll(() => services.close());
const dispatcher = createDispatcher(runHandlers(services));

async function call(name: RequestName, params: unknown): Promise<unknown> {
  const reply: Reply = await dispatcher.dispatch(name, params);
  if (!reply.ok) throw Object.assign(new Error(reply.error.message), { api: reply.error });
  const checked = requests[name].result.safeParse(reply.result);
  expect(checked.success, `${name} result matches its schema`).toBe(true);
  return reply.result;
}

describe('run handlers', () => {
  it('answers every run request with results that match the contract', async () => {
    const started = (await call('runs.start', { config: tinyConfig('api ms=2', 30), hypothesis: 'loss falls' })) as { id: string };
    await services.runs.waitForEnd(started.id);
    const list = (await call('runs.list', {})) as { id: string; status: string }[];
    expect(list.map((r) => [r.id, r.status])).toEqual([[started.id, 'finished']]);
    const detail = (await call('runs.get', { runId: started.id })) as { config: { name: string }; checkpoints: unknown[] };
    expect(detail.config.name).toBe('api ms=2');
    expect(detail.checkpoints).toHaveLength(3);
    const series = (await call('runs.metrics', { runId: started.id, keys: ['train/loss'], sinceStep: 25 })) as { steps: number[] }[];
    expect(series[0].steps).toEqual([25, 26, 27, 28, 29, 30]);
    expect(await call('runs.alerts', { runId: started.id })).toEqual([]);
    expect(await call('runs.update', { runId: started.id, notes: 'ok', name: 'renamed' })).toMatchObject({ notes: 'ok', name: 'renamed' });
    await call('runs.archive', { runId: started.id, archived: true });
    expect(await call('runs.list', {})).toEqual([]);
    expect(await call('runs.list', { includeArchived: true })).toHaveLength(1);

    const long = (await call('runs.start', { config: tinyConfig('long ms=5', 10_000) })) as { id: string };
    await new Promise((r) => setTimeout(r, 300));
    await call('runs.stop', { runId: long.id });
    expect((await services.runs.waitForEnd(long.id)).status).toBe('stopped');
    expect(await call('runs.resume', { runId: long.id })).toMatchObject({ status: 'queued' });
    await call('runs.stop', { runId: long.id });
    await services.runs.waitForEnd(long.id);

    const base = (await call('runs.startBaseline', { steps: 5, seed: 3 })) as { id: string; plannedSteps: number; seed: number };
    expect(base).toMatchObject({ plannedSteps: 5, seed: 3 });
    await services.runs.waitForEnd(base.id);
  });

  it('maps failures to API error codes', async () => {
    expect(await dispatcher.dispatch('runs.get', { runId: 'nope' })).toMatchObject({ ok: false, error: { code: 'not_found', message: 'no run with id or name "nope"' } });
    const bad = await dispatcher.dispatch('runs.start', { config: { train: { lr: 'fast' } } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request', issues: [{ path: 'train.lr' }] } });
    const finished = services.runs.list({ includeArchived: true }).find((r) => r.status === 'finished')!;
    expect(await dispatcher.dispatch('runs.resume', { runId: finished.id })).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('refuses a model that cannot fit its backend at validation, creating no run', async () => {
    const before = services.runs.list({ includeArchived: true }).length;
    const huge = { backend: 'wasm', model: { n_layer: 24, d_model: 1024, n_head: 16, block_size: 256 }, train: { batch_size: 8 } };
    const reply = await dispatcher.dispatch('runs.start', { config: huge });
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad_request', issues: [{ path: 'model' }] } });
    expect(!reply.ok && reply.error.message).toMatch(/needs about [\d.]+ GiB .* more than the wasm backend's 4 GiB heap/);
    expect(services.runs.list({ includeArchived: true })).toHaveLength(before);
  });
});
