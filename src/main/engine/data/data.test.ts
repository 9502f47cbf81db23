// Data: tokenizers, the default corpus and local files, the contiguous 90/10 split, and errors that name the problem.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCorpus } from './corpus.ts';
import { ByteTokenizer, CharTokenizer, Gpt2Tokenizer, createTokenizer, tokenizerFromJson } from './tokenizer.ts';
import { Dataset, microBatches } from './dataset.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-data-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, data: string | Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};

describe('corpus', () => {
  it('loads the bundled Moby-Dick', () => {
    const { text } = loadCorpus('moby-dick');
    expect(text.length).toBeGreaterThan(1_000_000);
    expect(text).toContain('Call me Ishmael');
  });

  it('loads local .txt and the text fields of .jsonl', () => {
    expect(loadCorpus(file('a.txt', 'héllo world')).text).toBe('héllo world');
    expect(loadCorpus(file('b.jsonl', '{"text":"one"}\n\n{"text":"two","id":2}\n')).text).toBe('one\n\ntwo');
  });

  it('rejects bad input with one line naming the problem', () => {
    const cases: [string, RegExp][] = [
      [join(dir, 'nope.txt'), /^data\.corpus: file not found: .*nope\.txt$/],
      [file('empty.txt', ''), /^data\.corpus: empty\.txt is empty$/],
      [file('bin.txt', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1])), /^data\.corpus: bin\.txt looks binary/],
      [file('latin1.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9])), /^data\.corpus: latin1\.txt is not valid UTF-8 text$/],
      [file('bad.jsonl', '{"text":"ok"}\nnot json\n'), /^data\.corpus: bad\.jsonl line 2 is not valid JSON$/],
      [file('nofield.jsonl', '{"body":"x"}\n'), /^data\.corpus: nofield\.jsonl line 1 has no string "text" field$/],
      [file('blank.txt', '   \n\n'), /^data\.corpus: blank\.txt contains no text$/],
    ];
    mkdirSync(join(dir, 'folder.txt'));
    cases.push([join(dir, 'folder.txt'), /^data\.corpus: .*folder\.txt is not a file$/]);
    for (const [path, re] of cases) {
      expect(() => loadCorpus(path), path).toThrow(re);
      try {
        loadCorpus(path);
      } catch (e) {
        expect((e as Error).message.includes('\n')).toBe(false);
      }
    }
  });
});

describe('tokenizers', () => {
  it('byte round-trips any text in 256 symbols', () => {
    const t = new ByteTokenizer();
    const ids = t.encode('Ahab — the whale 🐋');
    expect(Math.max(...ids)).toBeLessThan(256);
    expect(t.decode(ids)).toBe('Ahab — the whale 🐋');
  });

  it('char builds a sorted vocabulary from the corpus and serialises', () => {
    const t = CharTokenizer.fromText('banana!');
    expect(t.vocabSize).toBe(4);
    expect(t.decode(t.encode('nab!'))).toBe('nab!');
    expect(() => t.encode('z')).toThrow(/not in the char vocabulary/);
    const back = tokenizerFromJson(JSON.parse(JSON.stringify(t.toJSON())));
    expect(Array.from(back.encode('banana'))).toEqual(Array.from(t.encode('banana')));
    expect(createTokenizer('byte', '').vocabSize).toBe(256);
  });

  it('gpt2 is GPT-2 BPE (known ids) and treats <|endoftext|> in text as text', () => {
    const t = new Gpt2Tokenizer();
    expect(Array.from(t.encode('Hello world'))).toEqual([15496, 995]);
    expect(t.decode(t.encode('Call me Ishmael. <|endoftext|>'))).toBe('Call me Ishmael. <|endoftext|>');
    expect(tokenizerFromJson({ kind: 'gpt2' }).vocabSize).toBe(50257);
  });
});

describe('Dataset', () => {
  const tokens = Int32Array.from({ length: 1000 }, (_, i) => i % 97);
  const cfg = { val_fraction: 0.1, train_fraction: 1 };

  it('splits contiguously: validation is the last val_fraction; train_fraction trims the training part', () => {
    const d = new Dataset(tokens, 8, cfg, 1);
    expect(d.train.length).toBe(900);
    expect(d.val[0]).toBe(tokens[900]);
    expect(new Dataset(tokens, 8, { val_fraction: 0.1, train_fraction: 0.5 }, 1).train.length).toBe(450);
  });

  it('samples seeded batches with targets shifted by one, and restores its cursor', () => {
    const a = new Dataset(tokens, 8, cfg, 1);
    const b = new Dataset(tokens, 8, cfg, 1);
    const first = a.nextTrainBatch(4);
    expect(Array.from(first.x)).toEqual(Array.from(b.nextTrainBatch(4).x));
    for (let i = 0; i < 4 * 8; i++) if (i % 8 !== 7) expect(first.y[i]).toBe(first.x[i + 1]);
    const cursor = a.cursor();
    const next = a.nextTrainBatch(4);
    a.restoreCursor(cursor);
    expect(Array.from(a.nextTrainBatch(4).x)).toEqual(Array.from(next.x));
    expect(Array.from(new Dataset(tokens, 8, cfg, 2).nextTrainBatch(4).x)).not.toEqual(Array.from(first.x));
  });

  it('has fixed validation batches covering the split, and splits batches into micro-batches', () => {
    const d = new Dataset(tokens, 8, cfg, 1);
    const v1 = d.valBatches(3, 4);
    d.nextTrainBatch(4);
    const v2 = d.valBatches(3, 4);
    expect(v1.map((b) => Array.from(b.x))).toEqual(v2.map((b) => Array.from(b.x)));
    expect(v1[0].x[0]).toBe(d.val[0]);
    expect(v1[2].y[4 * 8 - 1]).toBe(d.val[d.val.length - 1]);
    const parts = microBatches(v1[0], 3);
    expect(parts.map((p) => p.batch)).toEqual([3, 1]);
    expect(Array.from(parts[1].x)).toEqual(Array.from(v1[0].x.subarray(24)));
  });

  it('rejects a corpus shorter than one block', () => {
    expect(() => new Dataset(Int32Array.from({ length: 50 }), 8, cfg, 1)).toThrow(
      /^data: the validation split has 5 tokens, shorter than one block \(block_size \+ 1 = 9\)$/,
    );
    expect(() => new Dataset(Int32Array.from({ length: 100 }), 128, cfg, 1)).toThrow(/training split has 90 tokens/);
  });
});
