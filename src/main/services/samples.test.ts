// The sampling services with the real sample worker thread: generate → streamed events → stored sample, cancel,
// grids with per-column sameness, prompt sets, and bad refs that fail with one clear line (also through the API).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createServices, type Services } from '../services.ts';
import { createDispatcher } from '../api/dispatcher.ts';
import { sampleHandlers } from '../api/sample-handlers.ts';
import type { EventName, EventPayload } from '../../shared/api/index.ts';
import { Sample } from '../../shared/api/samples.ts';
import { builtInDiagnosticSet } from '../../shared/generation/builtin-prompts.ts';
import { sampleFixture, type SampleFixture } from './sample-testing.ts';

let fx: SampleFixture;
let services: Services;

function record<E extends EventName>(name: E): { seen: EventPayload<E>[]; off: () => void } {
  const seen: EventPayload<E>[] = [];
  const off = services.events.on(name, (p) => void seen.push(p));
  return { seen, off };
}

beforeAll(async () => {
  fx = await sampleFixture();
  services = await createServices({ dataDir: fx.dataDir, monitorFactory: null });
}, 120_000);
afterAll(async () => {
  await services?.close();
  if (fx) rmSync(fx.dataDir, { recursive: true, force: true });
});

describe('sample services', () => {
  it('generates in the worker, streams tokens, stores the sample with diagnostics and memorisation', async () => {
    const tokens = record('sample.token');
    const phases = record('sample.phase');
    const done = record('sample.done');
    const h = services.samples.generate({
      target: { runId: fx.runId, step: null },
      prompt: 'the whale',
      settings: { maxTokens: 24, temperature: 0 },
    });
    expect(h.checkpoint).toEqual({ runId: fx.runId, runName: 'tiny-sampled', step: 8 });
    const sample = await h.done;
    tokens.off();
    phases.off();
    done.off();
    expect(Sample.parse(sample)).toEqual(sample);
    const mine = tokens.seen.filter((t) => t.sampleId === h.sampleId);
    expect(mine.map((t) => t.index)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(mine.map((t) => t.piece).join('')).toBe(sample.text);
    expect(mine.map((t) => t.entropy)).toEqual(sample.entropies);
    expect(phases.seen.filter((p) => p.sampleId === h.sampleId).map((p) => p.phase)).toEqual(['queued', 'loading', 'generating', 'indexing', 'diagnosing']);
    expect(done.seen).toEqual([{ sampleId: h.sampleId, sample }]);
    expect(sample).toMatchObject({ runId: fx.runId, step: 8, prompt: 'the whale', finish: 'length', gridId: null, warnings: [] });
    expect(sample.settings).toMatchObject({ maxTokens: 24, temperature: 0, topK: 0, topP: 1, seed: 1337 });
    expect(sample.diagnostics.tokens).toBe(24);
    // The run trained on this corpus: its output shares at least one token sequence with it, with a source offset.
    expect(sample.diagnostics.memorization!.length).toBeGreaterThan(0);
    expect(sample.memorizedSource!.tokenOffset).toBe(sample.diagnostics.memorization!.sourceOffset);
    expect(readdirSync(join(fx.dataDir, 'cache', 'memorization'))).toHaveLength(1);
    expect(services.samples.get(h.sampleId)).toEqual(sample);
    expect(services.samples.list({ runId: fx.runId }).map((s) => s.id)).toContain(h.sampleId);
  }, 60_000);

  it('samples an older checkpoint by step and scores built-in probes by their keywords', async () => {
    const apples = builtInDiagnosticSet.prompts.find((p) => p.id === 'apples')!;
    const h = services.samples.generate({ target: { runId: fx.runId, step: 4 }, prompt: apples.prompt, settings: { maxTokens: 8, seed: 3 } });
    const s = await h.done;
    expect(s.step).toBe(4);
    expect(s.expectedKeywords).toEqual(apples.expectedKeywords);
    expect(s.diagnostics.keyword).not.toBeNull();
  }, 60_000);

  it('cancels a running sample: finish "cancelled", partial text stored', async () => {
    const tokens = record('sample.token');
    const h = services.samples.generate({ target: { runId: fx.runId, step: null }, prompt: 'ship', settings: { maxTokens: 4000 }, memorization: false });
    const off = services.events.on('sample.token', (t) => {
      if (t.sampleId === h.sampleId && t.index === 2) services.samples.cancel(h.sampleId);
    });
    const s = await h.done;
    off();
    tokens.off();
    expect(s.finish).toBe('cancelled');
    expect(s.diagnostics.tokens).toBeGreaterThanOrEqual(3);
    expect(s.diagnostics.tokens).toBeLessThan(4000);
    expect(s.diagnostics.memorization).toBeNull();
    expect(services.samples.get(h.sampleId).finish).toBe('cancelled');
    expect(services.samples.cancel(h.sampleId)).toBe(false);
  }, 60_000);

  it('cancels a queued sample before it starts', async () => {
    const errors = record('sample.error');
    const first = services.samples.generate({ target: { runId: fx.runId, step: null }, prompt: 'sea', settings: { maxTokens: 16 }, memorization: false });
    const second = services.samples.generate({ target: { runId: fx.runId, step: null }, prompt: 'sea', settings: { maxTokens: 16 }, memorization: false });
    expect(services.samples.cancel(second.sampleId)).toBe(true);
    await expect(second.done).rejects.toThrow('cancelled before it started');
    await first.done;
    errors.off();
    expect(errors.seen).toEqual([{ sampleId: second.sampleId, message: 'cancelled before it started' }]);
  }, 60_000);

  it('rejects bad checkpoint refs with one clear line', () => {
    const gen = (target: { runId: string; step: number | null }) => () => services.samples.generate({ target, prompt: 'x' });
    expect(gen({ runId: 'no-such-run', step: null })).toThrow(/no run .*no-such-run/i);
    expect(gen({ runId: fx.runId, step: 5 })).toThrow(`run ${fx.runId} has no checkpoint at step 5 (it has 4, 8)`);
    expect(gen({ runId: fx.emptyRunId, step: null })).toThrow(`run ${fx.emptyRunId} has no checkpoint yet`);
    expect(() => services.samples.generate({ target: { path: fx.dataDir }, prompt: 'x' })).toThrow(/is not a Loupe checkpoint folder/);
    expect(() => services.samples.get('s-nope')).toThrow('no sample "s-nope"');
  });

  it('resolves a checkpoint folder path to its run and step', async () => {
    const h = services.samples.generate({ target: { path: fx.checkpointPaths[0]! }, prompt: 'call me', settings: { maxTokens: 4 }, memorization: false });
    expect(h.checkpoint).toEqual({ runId: fx.runId, runName: 'tiny-sampled', step: 4 });
    await h.done;
  }, 60_000);

  it('samples a grid of prompts × checkpoints with a sameness summary per column, and reads it back', async () => {
    const cells = record('sample.gridCell');
    const grid = services.samples.grid({
      prompts: [{ prompt: 'the whale' }, { prompt: 'ship' }, { id: 'cap', prompt: 'captain', expectedKeywords: ['ahab'] }],
      checkpoints: [
        { runId: fx.runId, step: 4 },
        { runId: fx.runId, step: null },
      ],
      settings: { maxTokens: 16, temperature: 0 },
      memorization: false,
    });
    expect(grid.cells).toHaveLength(6);
    expect(grid.rows.map((r) => r.id)).toEqual(['p1', 'p2', 'cap']);
    const done = await services.samples.waitForGrid(grid.id);
    cells.off();
    expect(done.status).toBe('done');
    expect(cells.seen.filter((c) => c.gridId === grid.id)).toHaveLength(6);
    for (const c of done.cells) {
      expect(c.status).toBe('done');
      expect(c.sample!.step).toBe(c.col === 0 ? 4 : 8);
      expect(c.sample!.prompt).toBe(done.rows[c.row]!.prompt);
    }
    for (const col of done.columns) {
      expect(col.summary!.samples).toBe(3);
      expect(col.summary!.sameness.score).toBeGreaterThanOrEqual(0);
      expect(col.summary!.keywordScore).not.toBeNull();
    }
    expect(services.samples.list({ gridId: grid.id })).toHaveLength(6);
    expect(services.samples.list({ runId: fx.runId }).some((s) => s.gridId === grid.id)).toBe(false);

    // Another process (a restarted app) rebuilds the same grid from the store.
    const other = await createServices({ dataDir: fx.dataDir, monitorFactory: null });
    try {
      const back = other.samples.gridGet(grid.id);
      expect(back.status).toBe('done');
      expect(back.columns.map((c) => c.summary)).toEqual(done.columns.map((c) => c.summary));
      expect(back.cells.map((c) => c.sample?.text)).toEqual(done.cells.map((c) => c.sample?.text));
    } finally {
      await other.close();
    }
  }, 120_000);

  it('cancels a grid: running and pending cells end cancelled', async () => {
    const grid = services.samples.grid({
      promptSetId: 'diagnostic',
      checkpoints: [{ runId: fx.runId, step: null }],
      settings: { maxTokens: 400 },
      memorization: false,
    });
    expect(grid.rows).toHaveLength(builtInDiagnosticSet.prompts.length);
    const off = services.events.on('sample.token', (t) => {
      if (t.sampleId === grid.cells[0]!.sampleId && t.index === 1) services.samples.cancel(grid.id);
    });
    const done = await services.samples.waitForGrid(grid.id);
    off();
    expect(done.status).toBe('cancelled');
    expect(done.cells.every((c) => c.status === 'cancelled')).toBe(true);
    expect(done.cells[0]!.sample!.finish).toBe('cancelled');
  }, 60_000);

  it('keeps saved prompt sets beside the built-in one', () => {
    const set = { version: 1, id: 'mine', name: 'Mine', prompts: [{ id: 'a', prompt: 'Call me', expectedKeywords: ['Ishmael'] }] };
    expect(services.samples.savePromptSet(set).set.id).toBe('mine');
    const sets = services.samples.promptSets();
    expect(sets.map((s) => [s.set.id, s.builtIn])).toEqual([
      ['diagnostic', true],
      ['mine', false],
    ]);
    expect(() => services.samples.savePromptSet({ ...set, id: 'diagnostic' })).toThrow(/built-in/);
    expect(() => services.samples.savePromptSet({ ...set, prompts: [] })).toThrow(/^prompt set: prompts: /);
    expect(services.samples.deletePromptSet('mine')).toBe(true);
    expect(services.samples.promptSets()).toHaveLength(1);
  });
});

describe('sampling a run that is still training', () => {
  it('samples the newest checkpoint while the run trains', async () => {
    const run = services.runs.start({
      config: {
        name: 'still-training',
        data: { corpus: fx.corpus },
        model: { n_layer: 1, n_head: 2, d_model: 16, block_size: 16 },
        train: { steps: 100_000, batch_size: 2, warmup_steps: 2 },
        eval: { every: 1000, batches: 1 },
        checkpoint: { every: 3 },
      },
    });
    try {
      const deadline = Date.now() + 60_000;
      while (services.store.checkpoints.list(run.id).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(services.store.runs.require(run.id).status).toBe('running');
      const h = services.samples.generate({ target: { runId: run.id, step: null }, prompt: 'the', settings: { maxTokens: 8 } });
      expect(h.checkpoint.step).toBeGreaterThanOrEqual(6);
      const s = await h.done;
      expect(s.step).toBe(h.checkpoint.step);
      expect(s.diagnostics.tokens).toBe(8);
      const listed = services.samples.checkpoints().find((r) => r.runId === run.id)!;
      expect(listed.status).toBe('running');
      expect(listed.checkpoints[0]!.step).toBeGreaterThanOrEqual(h.checkpoint.step);
    } finally {
      services.runs.stop(run.id);
      await services.runs.waitForEnd(run.id);
    }
  }, 120_000);
});

describe('sample API', () => {
  it('validates params and maps service errors to API errors', async () => {
    const api = createDispatcher(sampleHandlers(services));
    const bad = await api.dispatch('samples.generate', { checkpoint: { runId: fx.runId }, prompt: 'x', settings: { temperature: -1 } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const missing = await api.dispatch('samples.generate', { checkpoint: { runId: 'zzz-missing' }, prompt: 'x' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const both = await api.dispatch('samples.grid', { checkpoints: [{ runId: fx.runId }] });
    expect(both).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining('give either promptSetId or prompts') } });
    const list = await api.dispatch('samples.checkpoints', {});
    expect(list).toMatchObject({ ok: true });
    const runs = (list as { result: { runId: string; checkpoints: { step: number }[] }[] }).result;
    expect(runs.find((r) => r.runId === fx.runId)!.checkpoints.map((c) => c.step)).toEqual([8, 4]);
    const started = await api.dispatch('samples.generate', { checkpoint: { runId: fx.runId }, prompt: 'sea', settings: { maxTokens: 4 } });
    expect(started).toMatchObject({ ok: true, result: { checkpoint: { step: 8 } } });
    const id = (started as { result: { sampleId: string } }).result.sampleId;
    await new Promise<void>((resolve) => {
      const off = services.events.on('sample.done', (d) => {
        if (d.sampleId === id) {
          off();
          resolve();
        }
      });
    });
    expect(await api.dispatch('samples.get', { sampleId: id })).toMatchObject({ ok: true, result: { id, text: expect.any(String) } });
    expect(existsSync(fx.checkpointPaths[1]!)).toBe(true);
  }, 60_000);
});
