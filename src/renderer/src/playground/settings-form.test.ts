// The settings form: defaults round-trip, each bad field is named, stop sequences accept escapes.
import { describe, expect, it } from 'vitest';
import { SampleSettings } from '../../../shared/api/samples.ts';
import { defaultSettingsForm, formFromSettings, parseSettingsForm, parseStops } from './settings-form.ts';

describe('parseSettingsForm', () => {
  it('turns the default form back into the API defaults', () => {
    const r = parseSettingsForm(defaultSettingsForm);
    expect(r).toEqual({ ok: true, settings: SampleSettings.parse({}) });
  });

  it('round-trips settings with stop sequences containing newlines and backslashes', () => {
    const s = SampleSettings.parse({ temperature: 0, topK: 40, topP: 0.9, stop: ['\n\n', 'a\\b', 'END'] });
    const r = parseSettingsForm(formFromSettings(s));
    expect(r).toEqual({ ok: true, settings: s });
  });

  it('names every bad field with its allowed range', () => {
    const r = parseSettingsForm({ ...defaultSettingsForm, maxTokens: '0', topP: '0', temperature: 'hot', seed: '1.5' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.maxTokens).toBe('Max new tokens must be ≥ 1 and ≤ 4096');
    expect(r.errors.topP).toBe('Top-p must be > 0 and ≤ 1');
    expect(r.errors.temperature).toMatch(/^Temperature must be a number/);
    expect(r.errors.seed).toBe('Seed must be a whole number');
    expect(r.errors.topK).toBeUndefined();
  });

  it('rejects too many stop sequences', () => {
    const r = parseSettingsForm({ ...defaultSettingsForm, stop: Array.from({ length: 17 }, (_, i) => `s${i}`).join('\n') });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.stop).toBe('At most 16 stop sequences');
  });
});

describe('parseStops', () => {
  it('reads one per line and unescapes \\n, \\t and \\\\', () => {
    expect(parseStops('\\n\\n\nfoo\\tbar\n\nx\\\\n')).toEqual(['\n\n', 'foo\tbar', 'x\\n']);
  });
});
