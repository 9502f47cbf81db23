// The dispatcher checks every request against the shared contract: bad params come back with field paths, never a throw.
import { describe, it, expect } from 'vitest';
import { createDispatcher, ApiFailure } from './dispatcher.ts';
import { appHandlers } from './app-handlers.ts';
import { AppInfo } from '../../shared/api/index.ts';

describe('API dispatcher', () => {
  it('rejects bad params with field paths before any handler runs', async () => {
    let called = false;
    const d = createDispatcher({ 'runs.update': () => ((called = true), Promise.reject(new Error('unreachable'))) });
    const reply = await d.dispatch('runs.update', { runId: '', name: 42 });
    expect(called).toBe(false);
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('bad_request');
    expect(reply.error.issues?.map((i) => i.path).sort()).toEqual(['name', 'runId']);
  });

  it('rejects unknown fields (strict params) and unknown requests', async () => {
    const d = createDispatcher({});
    const extra = await d.dispatch('app.info', { surprise: 1 });
    expect(extra.ok).toBe(false);
    const unknown = await d.dispatch('nope.nothing', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('turns handler failures into one-line errors, never stack traces', async () => {
    const d = createDispatcher({
      'runs.get': () => {
        throw new ApiFailure('not_found', 'No run "r9"');
      },
      'runs.list': () => {
        throw new Error('disk exploded\n    at somewhere (file.ts:1:1)');
      },
    });
    expect(await d.dispatch('runs.get', { runId: 'r9' })).toEqual({ ok: false, error: { code: 'not_found', message: 'No run "r9"' } });
    expect(await d.dispatch('runs.list', {})).toEqual({ ok: false, error: { code: 'internal', message: 'disk exploded' } });
  });

  it('answers app.info with the TF.js version and probed backends', async () => {
    const d = createDispatcher(appHandlers({ transport: 'http', dataDir: '/tmp/x' }));
    const reply = await d.dispatch('app.info', {});
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    const info = AppInfo.parse(reply.result);
    expect(info.tfjsVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(info.backends.find((b) => b.name === 'cpu')?.available).toBe(true);
  });
});
