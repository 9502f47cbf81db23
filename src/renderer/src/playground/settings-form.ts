// The settings panel's form: text fields as typed, turned into validated sampler settings with one error
// line per bad field (the API's zod check would reject them too, but with a less readable message).
import { SampleSettings } from '../../../shared/api/samples.ts';

export interface SettingsForm {
  maxTokens: string;
  temperature: string;
  topK: string;
  topP: string;
  repetitionPenalty: string;
  seed: string;
  /** One stop sequence per line; \n and \t escapes allowed so a newline can be a stop. */
  stop: string;
  /** Chat template: auto (fine-tuned checkpoints), on (also a base model, to compare on the same question), off. */
  chat: 'auto' | 'on' | 'off';
}

export const defaultSettingsForm: SettingsForm = formFromSettings(SampleSettings.parse({}));

export function formFromSettings(s: SampleSettings): SettingsForm {
  return {
    maxTokens: String(s.maxTokens),
    temperature: String(s.temperature),
    topK: String(s.topK),
    topP: String(s.topP),
    repetitionPenalty: String(s.repetitionPenalty),
    seed: String(s.seed),
    stop: s.stop.map(escapeStop).join('\n'),
    chat: s.chat ?? 'auto',
  };
}

function escapeStop(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

function unescapeStop(s: string): string {
  return s.replace(/\\(\\|n|t)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

export function parseStops(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map(unescapeStop);
}

const fields: { key: Exclude<keyof SettingsForm, 'stop' | 'chat'>; label: string; integer: boolean; min: number; max: number; minExclusive?: boolean }[] = [
  { key: 'maxTokens', label: 'Max new tokens', integer: true, min: 1, max: 4096 },
  { key: 'temperature', label: 'Temperature', integer: false, min: 0, max: 10 },
  { key: 'topK', label: 'Top-k', integer: true, min: 0, max: 1_000_000 },
  { key: 'topP', label: 'Top-p', integer: false, min: 0, max: 1, minExclusive: true },
  { key: 'repetitionPenalty', label: 'Repetition penalty', integer: false, min: 0.1, max: 10 },
  { key: 'seed', label: 'Seed', integer: true, min: 0, max: 2 ** 31 - 1 },
];

export type SettingsResult = { ok: true; settings: SampleSettings } | { ok: false; errors: Partial<Record<keyof SettingsForm, string>> };

/** Validates every field and reports each bad one by its label, e.g. "Top-p must be > 0 and ≤ 1". */
export function parseSettingsForm(form: SettingsForm): SettingsResult {
  const errors: Partial<Record<keyof SettingsForm, string>> = {};
  const values: Record<string, number> = {};
  for (const f of fields) {
    const raw = form[f.key].trim();
    const v = raw === '' ? NaN : Number(raw);
    const range = `${f.minExclusive ? '> ' : '≥ '}${f.min} and ≤ ${f.max}`;
    if (!Number.isFinite(v)) errors[f.key] = `${f.label} must be a number (${range})`;
    else if (f.integer && !Number.isInteger(v)) errors[f.key] = `${f.label} must be a whole number`;
    else if ((f.minExclusive ? v <= f.min : v < f.min) || v > f.max) errors[f.key] = `${f.label} must be ${range}`;
    else values[f.key] = v;
  }
  const stop = parseStops(form.stop);
  if (stop.length > 16) errors.stop = 'At most 16 stop sequences';
  else if (stop.some((s) => s.length > 200)) errors.stop = 'A stop sequence may be at most 200 characters';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const parsed = SampleSettings.safeParse({ ...values, stop, ...(form.chat === 'auto' ? {} : { chat: form.chat }) });
  if (!parsed.success) return { ok: false, errors: { stop: parsed.error.issues[0]?.message ?? 'invalid settings' } };
  return { ok: true, settings: parsed.data };
}
