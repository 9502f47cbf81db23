// Names are one printable line wherever they enter (config, API); any text can be escaped for a terminal.
import { describe, it, expect } from 'vitest';
import { PrintableName, escapeUnprintable } from './printable.ts';
import { resolveConfig } from './config.ts';
import { requests } from './api/index.ts';

const bad = ['line\nbreak', 'carriage\rreturn', '\x1b[31mred\x1b[0m', 'bell\x07', 'del\x7f', 'c1\x9b31m', 'tab\there', 'bidi\u202ereversed', 'sep\u2028x', '   ', '', '\t'];
const good = ['baseline', 'lr=3e-4 · seed 2', 'Größe ✓ 模型', ' padded '];

describe('printable names', () => {
  it('rejects control characters and blank names, accepts ordinary text', () => {
    for (const n of bad) expect(PrintableName.safeParse(n).success, JSON.stringify(n)).toBe(false);
    for (const n of good) expect(PrintableName.safeParse(n).success, JSON.stringify(n)).toBe(true);
  });

  it('applies to the config name and to every API field that names a run or a group', () => {
    for (const n of bad) {
      const r = resolveConfig({ name: n });
      expect(r.ok, JSON.stringify(n)).toBe(false);
      if (!r.ok) expect(r.issues.map((i) => i.path)).toContain('name');
      expect(requests['runs.update'].params.safeParse({ runId: 'r', name: n }).success).toBe(false);
      expect(requests['runs.start'].params.safeParse({ config: {}, name: n }).success).toBe(false);
      expect(requests['runs.start'].params.safeParse({ config: {}, groupName: n }).success).toBe(false);
    }
    // Notes are free text: newlines stay allowed there (they are escaped when printed).
    expect(requests['runs.update'].params.safeParse({ runId: 'r', notes: 'two\nlines' }).success).toBe(true);
  });
});

describe('escapeUnprintable', () => {
  it('shows control characters as escapes, so nothing reaches the terminal raw', () => {
    expect(escapeUnprintable('a\nb\rc\td\x1b[2Je\x00\x7f\x9b\u202e')).toBe('a\\nb\\rc\\td\\e[2Je\\x00\\x7f\\x9b\\u{202e}');
    expect(escapeUnprintable('one\ntwo\tx\r\x1b', { keepLines: true })).toBe('one\ntwo\tx\\r\\e');
    expect(escapeUnprintable('plain ✓ text')).toBe('plain ✓ text');
  });
});
