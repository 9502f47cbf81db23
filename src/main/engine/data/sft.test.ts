// Fine-tuning data: all-or-nothing parsing with line/field errors, response-only targets, split by example.
import { describe, expect, it } from 'vitest';
import { defaultChatTemplate } from '../../../shared/sft/template.ts';
import { ByteTokenizer } from './tokenizer.ts';
import { IGNORE_INDEX, SftDataset, detectJsonlFormat, encodeExample, examplePrompt, parseSftJsonl } from './sft.ts';
import { builtinSftSet } from './sft-builtin.ts';

const tok = new ByteTokenizer();
const lines = (...rows: unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('parseSftJsonl', () => {
  it('reads prompt/response and messages lines', () => {
    const recs = parseSftJsonl(
      lines(
        { prompt: 'hi', response: 'hello', keywords: ['hello'] },
        { messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }] },
      ),
      'f.jsonl',
    );
    expect(recs).toHaveLength(2);
    expect(recs[0]!.turns.map((t) => t.role)).toEqual(['user', 'assistant']);
    expect(recs[0]!.keywords).toEqual(['hello']);
    expect(recs[1]!.line).toBe(2);
  });

  it('names the line and field of a bad example', () => {
    expect(() => parseSftJsonl(lines({ prompt: 'a', response: 'b' }, { prompt: 'x', response: 3 }), 'qa.jsonl')).toThrow(
      /qa\.jsonl line 2, field response/,
    );
    expect(() => parseSftJsonl(lines({ messages: [{ role: 'bot', content: 'x' }] }), 'm.jsonl')).toThrow(/line 1, field messages\.0\.role/);
    expect(() => parseSftJsonl(lines({ messages: [{ role: 'user', content: 'x' }] }), 'm.jsonl')).toThrow(/no "assistant"/);
    expect(() => parseSftJsonl('{"prompt":"a","response":"b"}\n{oops\n', 'b.jsonl')).toThrow(/line 2 is not valid JSON/);
    expect(() => parseSftJsonl(lines({ prompt: 'a', response: 'b' }, { text: 't' }), 'mix.jsonl')).toThrow(/line 2 has a "text" field/);
  });

  it('detects the kind of a JSONL file by its first line', () => {
    expect(detectJsonlFormat('\n{"text":"a"}\n')).toBe('text');
    expect(detectJsonlFormat('{"prompt":"a","response":"b"}')).toBe('sft');
    expect(detectJsonlFormat('{"messages":[]}')).toBe('sft');
    expect(detectJsonlFormat('{"other":1}')).toBeNull();
  });
});

describe('encodeExample and batches', () => {
  const rec = parseSftJsonl(lines({ prompt: 'Q?', response: 'Yes.' }), 'x')[0]!;

  it('trains on the response and the end marker only', () => {
    const enc = encodeExample(tok, rec, defaultChatTemplate);
    const text = tok.decode(enc.tokens);
    expect(text).toBe('Q: Q?\nA: Yes.\n');
    const trained = tok.decode(enc.tokens.filter((_, i) => enc.trained[i] === 1));
    expect(trained).toBe('Yes.\n');
  });

  it('puts -100 on prompt and padding targets, and the real next token on response targets', () => {
    const recs = parseSftJsonl(lines({ prompt: 'Q?', response: 'Yes.' }, { prompt: 'R?', response: 'No.' }, { prompt: 'S?', response: 'Ok.' }), 'x');
    const ds = new SftDataset(recs, tok, defaultChatTemplate, 64, { val_fraction: 0.34, train_fraction: 1 }, 1);
    const b = ds.nextTrainBatch(2);
    for (let r = 0; r < 2; r++) {
      const x = b.x.subarray(r * 64, (r + 1) * 64);
      const y = b.y.subarray(r * 64, (r + 1) * 64);
      const kept = [...y].filter((v) => v !== IGNORE_INDEX);
      expect(tok.decode(kept)).toMatch(/^(Yes|No|Ok)\.\n$/);
      // Where a target counts it is the next input token (a shifted copy of the example).
      for (let i = 0; i + 1 < 64; i++) if (y[i] !== IGNORE_INDEX && x[i + 1] !== 0) expect(y[i]).toBe(x[i + 1]);
    }
  });

  it('keeps the last block of an over-long example so its answer survives', () => {
    const long = parseSftJsonl(lines({ prompt: 'x'.repeat(200), response: 'tail' }, { prompt: 'y', response: 'z' }), 'x');
    const ds = new SftDataset(long, tok, defaultChatTemplate, 48, { val_fraction: 0.5, train_fraction: 1 }, 1);
    expect(ds.report.truncated).toBe(1);
    const rows = [...ds.valBatches(1, 1), ds.nextTrainBatch(1)];
    const decoded = rows.map((b) => tok.decode([...b.y].filter((v) => v !== IGNORE_INDEX)));
    expect(decoded.some((d) => d === 'tail\n')).toBe(true);
  });
});

describe('SftDataset split', () => {
  const set = builtinSftSet(600);

  it('splits by example, the same for every seed, and never trains on held-out examples', () => {
    const a = new SftDataset(set, tok, defaultChatTemplate, 96, { val_fraction: 0.1, train_fraction: 1 }, 1);
    const b = new SftDataset(set, tok, defaultChatTemplate, 96, { val_fraction: 0.1, train_fraction: 1 }, 2);
    expect(a.report.valExamples).toBe(60);
    expect(a.report.trainExamples).toBe(540);
    expect(a.valRecords).toEqual(b.valRecords);
    const key = (t: Int32Array): string => t.join(',');
    const train = new Set(a.trainSet.map((e) => key(e.tokens)));
    const heldOut = a.valSet.map((e) => key(e.tokens));
    // Generated sets repeat some questions verbatim: those are reported, the rest never appear in training.
    const leaked = heldOut.filter((k) => train.has(k)).length;
    expect(leaked).toBeLessThanOrEqual(a.report.duplicatePrompts);
  });

  it('reports held-out prompts that also occur in the training split', () => {
    const recs = parseSftJsonl(lines(...Array.from({ length: 10 }, () => ({ prompt: 'same?', response: 'yes' }))), 'dup.jsonl');
    const ds = new SftDataset(recs, tok, defaultChatTemplate, 32, { val_fraction: 0.2, train_fraction: 1 }, 1);
    expect(ds.report.duplicatePrompts).toBe(2);
    expect(ds.report.duplicateExamples[0]).toMatch(/same\?/);
    expect(examplePrompt(recs[0]!)).toBe('same?');
  });

  it('mixes a fixed share of rows from another corpus, trained on every token', () => {
    const aux = tok.encode('call me ishmael. '.repeat(20));
    const ds = new SftDataset(set, tok, defaultChatTemplate, 48, { val_fraction: 0.1, train_fraction: 1 }, 1, { tokens: aux, ratio: 0.25 });
    const b = ds.nextTrainBatch(8);
    expect(ds.mixRows(8)).toBe(2);
    const last = b.y.subarray(7 * 48, 8 * 48);
    expect([...last].every((v) => v !== IGNORE_INDEX)).toBe(true);
    const first = b.y.subarray(0, 48);
    expect([...first].some((v) => v === IGNORE_INDEX)).toBe(true);
  });

  it('restores its cursor exactly', () => {
    const ds = new SftDataset(set, tok, defaultChatTemplate, 48, { val_fraction: 0.1, train_fraction: 1 }, 3);
    ds.nextTrainBatch(4);
    const c = ds.cursor();
    const next = ds.nextTrainBatch(4);
    ds.restoreCursor(c);
    expect(ds.nextTrainBatch(4)).toEqual(next);
  });
});

describe('builtinSftSet', () => {
  it('is deterministic and carries true answers as keywords', () => {
    const a = builtinSftSet(60);
    expect(builtinSftSet(60)).toEqual(a);
    for (const r of a) {
      const response = r.turns[1]!.content;
      for (const k of r.keywords) expect(response).toContain(k);
    }
    // Every example fits the default baseline's block of 64 byte tokens (+1 for the shifted target).
    for (const r of builtinSftSet()) expect(encodeExample(tok, r, defaultChatTemplate).tokens.length).toBeLessThanOrEqual(65);
    const sum = a.find((r) => /plus/.test(r.turns[0]!.content))!;
    const [, x, y] = /What is (\d+) plus (\d+)\?/.exec(sum.turns[0]!.content)!;
    expect(sum.keywords).toEqual([String(Number(x) + Number(y))]);
  });
});

describe('chatPrompt (sampling a fine-tuned checkpoint)', () => {
  it('wraps the prompt for fine-tuned runs, on request for base runs, and never when off', async () => {
    const { chatPrompt } = await import('../sample-job.ts');
    const { RunConfig } = await import('../../../shared/config.ts');
    const sft = RunConfig.parse({ data: { corpus: 'sft-builtin' } });
    const base = RunConfig.parse({});
    expect(chatPrompt(sft, 'Capital of Peru?', { stop: [] })).toEqual({ prompt: 'Q: Capital of Peru?\nA: ', stop: ['\n'] });
    expect(chatPrompt(base, 'Call me', { stop: [] })).toEqual({ prompt: 'Call me', stop: [] });
    expect(chatPrompt(base, 'Capital of Peru?', { chat: 'on', stop: ['x'] })).toEqual({ prompt: 'Q: Capital of Peru?\nA: ', stop: ['x', '\n'] });
    expect(chatPrompt(sft, 'raw', { chat: 'off', stop: [] }).prompt).toBe('raw');
  });
});
