// `loupe runs` and `loupe show` print stored text (names, notes, errors) with control characters escaped:
// one row per run, one line per field, whatever a run was named before names were checked.
import { describe, it, expect } from 'vitest';
import type { RunSummary } from '../shared/runs.ts';
import { resolveConfig } from '../shared/config.ts';
import { formatRunsTable, formatShow, type ShowJson } from './views.ts';

const resolved = resolveConfig({});
if (!resolved.ok) throw new Error('the default config is valid');
const defaults = resolved.config;
const evil = 'ok\r\x1b[2J\x1b[31mFAKE\nrow\u202e';

function summary(over: Partial<RunSummary>): RunSummary {
  return {
    id: '261202-100000-abcd', name: 'run', hypothesis: null, notes: null, status: 'finished', backend: 'wasm', backendReason: null, params: 1000,
    steps: 10, plannedSteps: 10, tokensSeen: 100, tokensPerUpdate: 10, lastTrainLoss: 2, lastValLoss: 2.1, bestValLoss: 2.05, lastValStep: 10, bestValStep: 10, tokensPerS: 50,
    configHash: 'h', baselineId: null, groupName: null, seed: 1, createdAt: Date.UTC(2026, 11, 2), startedAt: null, endedAt: null, error: null,
    archived: false, alertCount: 0, warningCount: 0, ...over,
  };
}

// Any control character but the newlines between lines, or a bidi override.
const raw = /(?!\n)[\p{Cc}\u202e]/u;

describe('terminal views', () => {
  it('runs table: one line per run, nothing raw', () => {
    const out = formatRunsTable([summary({ name: evil }), summary({ id: '261202-100001-beef', name: 'second' })]);
    expect(out).not.toMatch(raw);
    expect(out.trimEnd().split('\n')).toHaveLength(3);
    expect(out).toContain('ok\\r\\e[2J');
  });

  it('show: notes keep their lines (indented), everything else is escaped', () => {
    const view: ShowJson = {
      run: summary({ name: evil, notes: `first\n\x1b[31msecond\x1b[0m`, hypothesis: 'h\r', error: `died\n\x1b[1m` }),
      config: { ...defaults, name: evil },
      final: { step: 10, train_loss: 2, val_loss: 2.1, val_step: 10 },
      best: { val_loss: 2.05, step: 10 },
      alerts: [],
      checkpoints: [],
      metric_keys: [],
      params_active: 1000,
      compute: null,
    };
    const out = formatShow(view, (x) => `name: ${(x as { name: string }).name}\n`);
    expect(out).not.toMatch(raw);
    expect(out).toContain('notes       first\n            \\e[31msecond\\e[0m');
    expect(out).toContain('(died\\n\\e[1m)');
    expect(out.split('\n')[0]).toBe('run 261202-100000-abcd  ok\\r\\e[2J\\e[31mFAKE\\nrow\\u{202e}');
    expect(out).toContain('params      1000\n');
    expect(formatShow({ ...view, params_active: 600 }, () => '')).toContain('params      1000 (600 active)\n');
  });
});
