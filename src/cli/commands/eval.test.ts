// `loupe eval` as a real process: a tiny trained run scored on the bundled Moby-Dick cloze set (a 64-byte window
// holds every continuation, so no item is skipped; --json prints
// exactly {task, n, acc, acc_norm}), the result stored as eval/mc/* metrics that `loupe compare` reads, and bad
// input as one-line usage errors.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../../main/scheduler/testing/harness.ts';
import { loupe } from '../testing.ts';
import type { CompareTable } from '../../shared/ablation/compare.ts';

const cloze = path.join(import.meta.dirname, '../../../resources/evals/moby-dick-cloze.mc.jsonl');
const tinyYaml = `name: tiny
data:
  tokenizer: byte
model:
  n_layer: 1
  n_head: 2
  d_model: 32
  block_size: 64
train:
  steps: 8
  warmup_steps: 1
  batch_size: 4
eval:
  every: 8
  batches: 1
checkpoint:
  every: 8
`;

describe('loupe eval', () => {
  it('scores a checkpoint on a task file, stores eval/<task>/* and rejects bad input in one line', { timeout: 300_000 }, async () => {
    const home = tempDir('loupe-eval-');
    const env = { LOUPE_HOME: home };
    const cfg = path.join(home, 'tiny.yaml');
    fs.writeFileSync(cfg, tinyYaml);
    const train = await loupe(['train', cfg, '--json'], env);
    expect(train.code, train.stderr).toBe(0);
    const runId = (JSON.parse(train.stdout.trim().split('\n').pop()!) as { run_id: string }).run_id;

    const r = await loupe(['eval', `${runId}@8`, '--task', 'mc', '--file', cloze, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as Record<string, number | string>;
    expect(Object.keys(out)).toEqual(['task', 'n', 'acc', 'acc_norm']);
    const lines = fs.readFileSync(cloze, 'utf8').trim().split('\n').length;
    expect(out).toMatchObject({ task: 'mc', n: lines });
    for (const k of ['acc', 'acc_norm'] as const) {
      expect(out[k]).toBeGreaterThanOrEqual(0);
      expect(out[k]).toBeLessThanOrEqual(1);
      // Fractions of n items.
      expect(Math.abs((out[k] as number) * lines - Math.round((out[k] as number) * lines))).toBeLessThan(1e-9);
    }

    const cmp = await loupe(['compare', runId, '--metric', 'eval/mc/acc', '--json'], env);
    expect(cmp.code, cmp.stderr).toBe(0);
    const table = JSON.parse(cmp.stdout.trim()) as CompareTable;
    expect(table).toMatchObject({ metric: 'eval/mc/acc', higherIsBetter: true });
    expect(table.rows[0]!.final.values).toEqual([out['acc']]);

    const text = await loupe(['eval', runId, '--task', 'mc', '--file', cloze], env);
    expect(text.stdout).toMatch(new RegExp(`^mc on run ${runId} at step 8: n ${lines}  acc 0\\.\\d{4}  acc_norm 0\\.\\d{4}$`, 'm'));

    const bad = path.join(home, 'bad.jsonl');
    fs.writeFileSync(bad, '{"question": "no"}\n');
    for (const [args, says] of [
      [['eval', runId, '--task', 'arc', '--file', bad], 'holds no arc items (line 1: needs question and choices {text, label})'],
      [['eval', `${runId}@3`, '--task', 'mc', '--file', cloze], 'has no checkpoint at step 3 (it has 8)'],
    ] as const) {
      const e = await loupe([...args], env);
      expect(e.code, e.stderr).toBe(2);
      expect(e.stderr.trim().split('\n')).toHaveLength(1);
      expect(e.stderr).toContain(says);
    }
    // An unknown task is commander's usage error (with the command's help after it).
    const task = await loupe(['eval', runId, '--task', 'mmlu', '--file', cloze], env);
    expect(task.code).toBe(2);
    expect(task.stderr.split('\n')[0]).toContain("argument 'mmlu' is invalid. Allowed choices are hellaswag, arc, piqa, mc.");
  });
});
