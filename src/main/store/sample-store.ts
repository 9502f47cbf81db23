// Samples, sample grids and saved prompt sets in the run store's database (tables of migrations 1 and 3).
// Rows are read back through the API's zod schemas, so a hand-edited or older row is skipped, never mis-shown.
import type { Db } from './db.ts';
import { SampleDiagnostics } from '../../shared/generation/diagnosis.ts';
import { PromptSet } from '../../shared/generation/prompts.ts';
import { ExpectedKeywords, MemorizedSource, SampleFinish, SampleSettings, type Sample } from '../../shared/api/samples.ts';

export interface StoredSample {
  sample: Sample;
  /** Generated token ids, for cross-prompt sameness. */
  tokenIds: number[];
  gridRow: number | null;
  gridCol: number | null;
}

export interface GridRecord {
  id: string;
  spec: unknown;
  status: 'running' | 'done' | 'cancelled';
  createdAt: number;
}

interface SampleDbRow {
  id: number;
  uid: string | null;
  run_id: string;
  run_name: string;
  checkpoint_step: number | null;
  prompt: string;
  settings: string;
  text: string;
  diagnostics: string | null;
  created_at: number;
  expected_keywords: string | null;
  token_ids: string | null;
  pieces: string | null;
  entropies: string | null;
  memorized_source: string | null;
  finish: string | null;
  warnings: string | null;
  duration_ms: number | null;
  grid_id: string | null;
  grid_row: number | null;
  grid_col: number | null;
}

const SELECT = `SELECT s.*, r.name AS run_name FROM samples s JOIN runs r ON r.id = s.run_id`;

function json(raw: string | null): unknown {
  if (raw === null) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

const numbers = (v: unknown): number[] => (Array.isArray(v) && v.every((x) => typeof x === 'number') ? v : []);
const strings = (v: unknown): string[] => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : []);

/** Samples written before migration 3 (or by eval-time generation) have no uid: they are addressed as "n<rowid>". */
function publicId(row: { id: number; uid: string | null }): string {
  return row.uid ?? `n${row.id}`;
}

function toStored(row: SampleDbRow): StoredSample | null {
  const diagnostics = SampleDiagnostics.safeParse(json(row.diagnostics));
  if (!diagnostics.success) return null;
  const settings = SampleSettings.safeParse(json(row.settings) ?? {});
  const keywords = ExpectedKeywords.safeParse(json(row.expected_keywords));
  const source = MemorizedSource.safeParse(json(row.memorized_source));
  const finish = SampleFinish.safeParse(row.finish);
  const tokens = diagnostics.data.tokens;
  const durationMs = row.duration_ms ?? 0;
  const sample: Sample = {
    id: publicId(row),
    runId: row.run_id,
    runName: row.run_name,
    step: row.checkpoint_step ?? 0,
    prompt: row.prompt,
    settings: settings.success ? settings.data : SampleSettings.parse({}),
    expectedKeywords: keywords.success ? keywords.data : null,
    text: row.text,
    pieces: strings(json(row.pieces)),
    entropies: numbers(json(row.entropies)),
    diagnostics: diagnostics.data,
    memorizedSource: source.success ? source.data : null,
    finish: finish.success ? finish.data : 'length',
    warnings: strings(json(row.warnings)),
    gridId: row.grid_id,
    createdAt: row.created_at,
    durationMs,
    tokensPerS: durationMs > 0 && tokens > 0 ? (tokens * 1000) / durationMs : null,
  };
  return { sample, tokenIds: numbers(json(row.token_ids)), gridRow: row.grid_row, gridCol: row.grid_col };
}

export class SampleStore {
  constructor(private readonly db: Db) {}

  insert(s: StoredSample): void {
    const x = s.sample;
    this.db
      .prepare(
        `INSERT INTO samples(uid, run_id, checkpoint_step, prompt, settings, text, diagnostics, created_at, expected_keywords, token_ids,
           pieces, entropies, memorized_source, finish, warnings, duration_ms, grid_id, grid_row, grid_col)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        x.id,
        x.runId,
        x.step,
        x.prompt,
        JSON.stringify(x.settings),
        x.text,
        JSON.stringify(x.diagnostics),
        x.createdAt,
        x.expectedKeywords === null ? null : JSON.stringify(x.expectedKeywords),
        JSON.stringify(s.tokenIds),
        JSON.stringify(x.pieces),
        JSON.stringify(x.entropies),
        x.memorizedSource === null ? null : JSON.stringify(x.memorizedSource),
        x.finish,
        JSON.stringify(x.warnings),
        x.durationMs,
        x.gridId,
        s.gridRow,
        s.gridCol,
      );
  }

  get(id: string): StoredSample | null {
    const legacy = /^n(\d+)$/.exec(id);
    const row = legacy
      ? this.db.prepare(`${SELECT} WHERE s.id = ? AND s.uid IS NULL`).get(Number(legacy[1]))
      : this.db.prepare(`${SELECT} WHERE s.uid = ?`).get(id);
    return row ? toStored(row as SampleDbRow) : null;
  }

  /** Newest first. Without gridId, grid cells are left out (they are browsed through their grid). */
  list(opts: { runId?: string; gridId?: string; limit: number; before?: number }): Sample[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (opts.runId !== undefined) {
      where.push('s.run_id = ?');
      args.push(opts.runId);
    }
    if (opts.gridId !== undefined) {
      where.push('s.grid_id = ?');
      args.push(opts.gridId);
    } else where.push('s.grid_id IS NULL');
    if (opts.before !== undefined) {
      where.push('s.created_at < ?');
      args.push(opts.before);
    }
    const rows = this.db
      .prepare(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY s.created_at DESC, s.id DESC LIMIT ?`)
      .all(...args, opts.limit) as SampleDbRow[];
    return rows.map(toStored).filter((s): s is StoredSample => s !== null).map((s) => s.sample);
  }

  gridSamples(gridId: string): StoredSample[] {
    const rows = this.db.prepare(`${SELECT} WHERE s.grid_id = ? ORDER BY s.id`).all(gridId) as SampleDbRow[];
    return rows.map(toStored).filter((s): s is StoredSample => s !== null);
  }

  createGrid(g: GridRecord): void {
    this.db.prepare('INSERT INTO sample_grids(id, spec, status, created_at) VALUES (?, ?, ?, ?)').run(g.id, JSON.stringify(g.spec), g.status, g.createdAt);
  }

  setGridStatus(id: string, status: GridRecord['status']): void {
    this.db.prepare('UPDATE sample_grids SET status = ? WHERE id = ?').run(status, id);
  }

  getGrid(id: string): GridRecord | null {
    const row = this.db.prepare('SELECT id, spec, status, created_at FROM sample_grids WHERE id = ?').get(id) as
      | { id: string; spec: string; status: GridRecord['status']; created_at: number }
      | undefined;
    return row ? { id: row.id, spec: json(row.spec), status: row.status, createdAt: row.created_at } : null;
  }

  /** Saved prompt sets by name; rows that no longer parse are skipped. */
  listPromptSets(): { set: PromptSet; updatedAt: number }[] {
    const rows = this.db.prepare('SELECT body, updated_at FROM prompt_sets').all() as { body: string; updated_at: number }[];
    const out: { set: PromptSet; updatedAt: number }[] = [];
    for (const r of rows) {
      const parsed = PromptSet.safeParse(json(r.body));
      if (parsed.success) out.push({ set: parsed.data, updatedAt: r.updated_at });
    }
    return out.sort((a, b) => a.set.name.localeCompare(b.set.name));
  }

  getPromptSet(id: string): PromptSet | null {
    const body = this.db.prepare('SELECT body FROM prompt_sets WHERE id = ?').pluck().get(id) as string | undefined;
    if (body === undefined) return null;
    const parsed = PromptSet.safeParse(json(body));
    return parsed.success ? parsed.data : null;
  }

  savePromptSet(set: PromptSet, now = Date.now()): void {
    this.db
      .prepare('INSERT INTO prompt_sets(id, body, updated_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at')
      .run(set.id, JSON.stringify(set), now);
  }

  deletePromptSet(id: string): boolean {
    return this.db.prepare('DELETE FROM prompt_sets WHERE id = ?').run(id).changes > 0;
  }
}
