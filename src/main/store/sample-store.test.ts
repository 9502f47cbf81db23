// Sample storage: round trip of a playground sample, paging newest first, grid cells kept apart, rows written
// without migration 3's columns (eval-time samples) shown when they parse and skipped when they do not.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from './store.ts';
import { SampleStore } from './sample-store.ts';
import { tinyConfig } from '../engine/testing/tiny.ts';
import { SampleSettings, type Sample } from '../../shared/api/samples.ts';
import { diagnoseSample } from '../../shared/generation/diagnosis.ts';

let dir: string;
let store: Store;
let samples: SampleStore;
let runId: string;

const sample = (id: string, createdAt: number, over: Partial<Sample> = {}): Sample => ({
  id,
  runId,
  runName: 'r',
  step: 10,
  prompt: 'Call me',
  settings: SampleSettings.parse({ temperature: 0 }),
  expectedKeywords: ['Ishmael'],
  text: ' Ishmael',
  pieces: [' ', 'Ish', 'mael'],
  entropies: [1, 2, 3],
  diagnostics: diagnoseSample({ tokens: [1, 2, 3], text: ' Ishmael', entropies: [1, 2, 3], expectedKeywords: ['Ishmael'] }),
  memorizedSource: { tokenOffset: 5, before: 'a', match: 'b', after: 'c' },
  finish: 'length',
  warnings: [],
  gridId: null,
  createdAt,
  durationMs: 30,
  tokensPerS: 100,
  ...over,
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-sample-store-'));
  store = Store.open(join(dir, 'loupe.db'));
  samples = new SampleStore(store.db);
  runId = store.runs.create({ name: 'r', config: tinyConfig() }).id;
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SampleStore', () => {
  it('round-trips a sample with its token ids', () => {
    const s = sample('s1', 1000);
    samples.insert({ sample: s, tokenIds: [1, 2, 3], gridRow: null, gridCol: null });
    expect(samples.get('s1')).toEqual({ sample: s, tokenIds: [1, 2, 3], gridRow: null, gridCol: null });
    expect(samples.get('s2')).toBeNull();
  });

  it('lists newest first with a cursor, by run, and keeps grid cells apart', () => {
    for (let i = 0; i < 5; i++) samples.insert({ sample: sample(`s${i}`, 1000 + i), tokenIds: [], gridRow: null, gridCol: null });
    samples.insert({ sample: sample('g0', 2000, { gridId: 'g1' }), tokenIds: [], gridRow: 0, gridCol: 0 });
    expect(samples.list({ limit: 3 }).map((s) => s.id)).toEqual(['s4', 's3', 's2']);
    expect(samples.list({ limit: 3, before: 1002 }).map((s) => s.id)).toEqual(['s1', 's0']);
    expect(samples.list({ limit: 10, runId: 'other' })).toEqual([]);
    expect(samples.list({ limit: 10, gridId: 'g1' }).map((s) => s.id)).toEqual(['g0']);
    expect(samples.gridSamples('g1')[0]).toMatchObject({ gridRow: 0, gridCol: 0 });
  });

  it('shows rows stored without the playground columns when their diagnostics parse, and skips the rest', () => {
    const d = diagnoseSample({ tokens: [1, 1, 1, 1, 1, 1, 1, 1, 1] });
    // Rows as eval-time generation wrote them before the playground columns existed.
    const legacy = (settings: unknown, diagnostics: unknown): number =>
      Number(
        store.db
          .prepare('INSERT INTO samples(run_id, checkpoint_step, prompt, settings, text, diagnostics, created_at) VALUES (?, 20, ?, ?, ?, ?, ?)')
          .run(runId, 'p', JSON.stringify(settings), 't', JSON.stringify(diagnostics), Date.now()).lastInsertRowid,
      );
    const ok = legacy({ temperature: 0.5 }, d);
    legacy({}, { seqRep4: 0.1 });
    const listed = samples.list({ limit: 10 });
    expect(listed.map((s) => s.id)).toEqual([`n${ok}`]);
    expect(listed[0]).toMatchObject({ step: 20, finish: 'length', pieces: [], settings: { temperature: 0.5, maxTokens: 128 } });
    expect(samples.get(`n${ok}`)?.sample.diagnostics).toEqual(d);
  });

  it('saves, replaces, lists and deletes prompt sets; grids keep their status', () => {
    const set = { version: 1 as const, id: 'b', name: 'B', prompts: [{ id: 'x', prompt: 'hi', expectedKeywords: [], tags: [] }] };
    samples.savePromptSet(set, 1);
    samples.savePromptSet({ ...set, id: 'a', name: 'A' }, 2);
    samples.savePromptSet({ ...set, name: 'B2' }, 3);
    expect(samples.listPromptSets().map((s) => [s.set.name, s.updatedAt])).toEqual([
      ['A', 2],
      ['B2', 3],
    ]);
    expect(samples.deletePromptSet('a')).toBe(true);
    expect(samples.deletePromptSet('a')).toBe(false);
    samples.createGrid({ id: 'g', spec: { rows: [] }, status: 'running', createdAt: 5 });
    samples.setGridStatus('g', 'done');
    expect(samples.getGrid('g')).toEqual({ id: 'g', spec: { rows: [] }, status: 'done', createdAt: 5 });
  });
});
