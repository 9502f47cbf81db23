// The run-file protocol (DESIGN.md §10): one JSON object per line, appended by a training job and read by Loupe.
// `run` opens the file, `metric` lines carry one value each (keys as §4), `checkpoint` names an HF folder, `end` closes it.
import { z } from 'zod';
import type { RunStatus } from '../../shared/runs.ts';

/** Python's json.dumps writes NaN/Infinity as bare tokens; the logger writes strings. Both are accepted. */
const Value = z.union([z.number(), z.enum(['NaN', 'nan', 'Infinity', 'inf', '-Infinity', '-inf']), z.null()]);

const RunLine = z.object({
  type: z.literal('run'),
  name: z.string().min(1).max(200).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  started_at: z.union([z.number(), z.string()]).optional(),
});
const MetricLine = z.object({
  type: z.literal('metric'),
  step: z.number().int().min(0),
  key: z.string().min(1).max(200),
  value: Value,
  time: z.number().optional(),
});
const CheckpointLine = z.object({ type: z.literal('checkpoint'), step: z.number().int().min(0), path: z.string().min(1) });
const EndLine = z.object({ type: z.literal('end'), status: z.string().optional(), error: z.string().optional() });

export const RunFileLine = z.discriminatedUnion('type', [RunLine, MetricLine, CheckpointLine, EndLine]);
export type RunFileLine = z.infer<typeof RunFileLine>;
export type RunHeader = z.infer<typeof RunLine>;

export type ParsedLine = { ok: true; line: RunFileLine } | { ok: false; error: string };

const bareNonFinite = /(:\s*)(-?Infinity|NaN)(\s*[,}])/g;

/** One line of a run file; never throws. Unknown `type`s are errors the caller may skip. */
export function parseRunFileLine(text: string): ParsedLine {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    try {
      raw = JSON.parse(text.replace(bareNonFinite, '$1"$2"$3'));
    } catch (e) {
      return { ok: false, error: `not JSON (${e instanceof Error ? e.message : String(e)})` };
    }
  }
  const parsed = RunFileLine.safeParse(raw);
  if (parsed.success) return { ok: true, line: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length ? `${issue.path.join('.')}: ` : '';
  return { ok: false, error: `${where}${issue?.message ?? 'invalid line'}` };
}

export function metricValue(v: z.infer<typeof Value>): number {
  if (v === null) return NaN;
  if (typeof v === 'number') return v;
  if (v === 'NaN' || v === 'nan') return NaN;
  return v.startsWith('-') ? -Infinity : Infinity;
}

/** An `end` line's status in Loupe's terms: anything unknown ends the run as failed, with the word kept. */
export function endStatus(line: { status?: string; error?: string }): { status: RunStatus; error: string | null } {
  const s = (line.status ?? 'finished').toLowerCase();
  if (['finished', 'success', 'succeeded', 'completed', 'done', 'ok'].includes(s)) return { status: 'finished', error: null };
  if (['stopped', 'killed', 'interrupted', 'cancelled', 'canceled'].includes(s)) return { status: 'stopped', error: line.error ?? null };
  if (s === 'crashed') return { status: 'crashed', error: line.error ?? 'the job reported a crash' };
  if (s === 'failed' || s === 'error') return { status: 'failed', error: line.error ?? 'the job reported a failure' };
  return { status: 'failed', error: line.error ?? `the job ended with status "${line.status}"` };
}
