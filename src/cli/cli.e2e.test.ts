// End to end with the real engine: `loupe baseline --steps 30 --json` on a temporary LOUPE_HOME trains,
// stores every metric and a checkpoint; show/runs/alerts/export read it back; the HF export parses.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { Store } from '../main/store/store.ts';
import { tempDir } from '../main/scheduler/testing/harness.ts';
import { loupe } from './testing.ts';

/** Parses a safetensors file independently of our writer: 8-byte header length, JSON header, exact data span. */
function parseSafetensors(buf: Buffer): Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> {
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  delete header['__metadata__'];
  let end = 0;
  for (const t of Object.values(header)) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    expect(t.data_offsets[1] - t.data_offsets[0]).toBe(count * 4);
    end = Math.max(end, t.data_offsets[1]);
  }
  expect(8 + n + end).toBe(buf.length);
  return header;
}

describe('loupe CLI end to end', () => {
  it('baseline --steps 30 --json trains, stores and exports', async () => {
    const home = tempDir('loupe-cli-');
    const env = { LOUPE_HOME: home };
    const r = await loupe(['baseline', '--steps', '30', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(
      ['alerts', 'backend', 'best_val_loss', 'checkpoint', 'name', 'params', 'run_id', 'status', 'steps', 'tokens_per_s', 'train_loss', 'val_loss', 'wall_s'].sort(),
    );
    expect(out).toMatchObject({ status: 'finished', steps: 30, name: 'baseline-nanogpt-cpu-moby-byte' });
    expect(out.params).toBeGreaterThan(800_000);
    expect(out.tokens_per_s).toBeGreaterThan(0);
    const runId = out.run_id as string;

    const store = Store.open(path.join(home, 'loupe.db'));
    const [loss] = store.metrics.series(runId, ['train/loss']);
    expect(loss.steps).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(loss.values.slice(-5))).toBeLessThan(mean(loss.values.slice(0, 5)) - 0.5);
    expect(store.checkpoints.list(runId).map((c) => c.step)).toContain(30);
    expect(fs.existsSync(out.checkpoint as string)).toBe(true);
    expect(store.integrityCheck()).toBe('ok');
    store.close();

    const show = await loupe(['show', runId.slice(-4), '--json'], env);
    expect(show.code).toBe(0);
    const detail = JSON.parse(show.stdout) as { config: { train: { steps: number; warmup_steps: number } }; best: { val_loss: number }; checkpoints: unknown[] };
    expect(detail.config.train).toMatchObject({ steps: 30, warmup_steps: 2 });
    expect(detail.best.val_loss).toBeCloseTo(out.best_val_loss as number, 10);
    expect(detail.checkpoints.length).toBeGreaterThan(0);

    const runs = JSON.parse((await loupe(['runs', '--json'], env)).stdout) as { id: string; status: string }[];
    expect(runs.map((x) => [x.id, x.status])).toEqual([[runId, 'finished']]);

    const hfDir = path.join(home, 'hf');
    const csv = path.join(home, 'metrics.csv');
    const exp = await loupe(['export', runId, '--hf', hfDir, '--csv', csv], env);
    expect(exp.code, exp.stderr).toBe(0);
    const cfg = JSON.parse(fs.readFileSync(path.join(hfDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(cfg).toMatchObject({ n_layer: 4, n_head: 4, n_embd: 128, n_positions: 64, vocab_size: 256 });
    const tensors = parseSafetensors(fs.readFileSync(path.join(hfDir, 'model.safetensors')));
    expect(Object.keys(tensors)).toEqual(expect.arrayContaining(['transformer.wte.weight', 'transformer.h.0.attn.c_attn.weight']));
    const csvLines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    expect(csvLines[0].split(',')).toEqual(expect.arrayContaining(['step', 'train/loss', 'val/loss']));
    expect(csvLines).toHaveLength(1 + 31); // steps 0 (first eval) to 30

    const alerts = JSON.parse((await loupe(['alerts', runId, '--json', '--recompute'], env)).stdout) as { matches_stored: boolean };
    expect(alerts.matches_stored).toBe(true);
  }, 300_000); // a 30-step baseline evaluates about 20 times (run length scales the eval cadence with the steps)
});
