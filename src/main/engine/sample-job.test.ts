// A sampling job end to end in-process: an under-trained GPT sampled greedily falls into a loop the detector finds,
// and a training passage planted in the corpus is found verbatim, at its offset, through the cached index.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from './tf.ts';
import { Trainer } from './train.ts';
import { SampleEngine, trimPieces } from './sample-job.ts';
import type { SampleJob } from '../../shared/sample-worker-protocol.ts';
import { tinyConfig, tinyText } from './testing/tiny.ts';

let dir: string;
let corpus: string;
let checkpoint: string;
const engine = new SampleEngine();

const greedy = { maxTokens: 48, temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 1, stop: [] };
const job = (over: Partial<SampleJob> = {}): SampleJob => ({
  id: 's1',
  checkpointPath: checkpoint,
  prompt: 'the whale',
  settings: greedy,
  expectedKeywords: null,
  memorizationCacheDir: null,
  ...over,
});

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'loupe-sample-job-'));
  corpus = join(dir, 'corpus.txt');
  const text = tinyText(6000);
  const trainer = new Trainer({ config: tinyConfig({ data: { corpus }, model: { block_size: 16 } }), backend: 'cpu', text });
  for (let i = 0; i < 8; i++) trainer.trainStep();
  checkpoint = trainer.saveCheckpoint(join(dir, 'ckpt')).path;
  trainer.dispose();
  writeFileSync(corpus, text);
});
afterAll(() => {
  engine.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('SampleEngine', () => {
  it('an under-trained GPT sampled greedily loops, and the detector finds the loop', async () => {
    const tokens: number[] = [];
    const r = await engine.run(job(), { token: (i) => void tokens.push(i) });
    expect(r.step).toBe(8);
    expect(r.finish).toBe('length');
    expect(r.tokenIds.length).toBe(48);
    expect(tokens).toEqual(Array.from({ length: 48 }, (_, i) => i));
    const loop = r.diagnostics.loop;
    expect(loop).not.toBeNull();
    // The reported span really is periodic with the reported period, and reaches the end of the output.
    expect(loop!.end).toBe(48);
    for (let i = loop!.start + loop!.period; i < loop!.end; i++) expect(r.tokenIds[i]).toBe(r.tokenIds[i - loop!.period]);
    expect(loop!.repeats).toBeGreaterThanOrEqual(3);
    expect(r.diagnostics.seqRep[4]).toBeGreaterThan(0.5);
    expect(r.pieces.join('')).toBe(r.text);
    expect(r.memorizedSource).toBeNull();
  });

  it('finds a training passage planted in the corpus at its offset, through the on-disk index', async () => {
    const first = await engine.run(job());
    // Plant exactly what the model says in an otherwise different corpus: the whole output is then "memorised".
    const filler = 'qzx '.repeat(500);
    writeFileSync(corpus, filler + first.text + ' ' + filler + filler);
    const cacheDir = join(dir, 'cache');
    const fresh = new SampleEngine();
    try {
      const r = await fresh.run(job({ memorizationCacheDir: cacheDir }));
      const m = r.diagnostics.memorization!;
      expect(m.length).toBe(r.tokenIds.length);
      expect(m.outputStart).toBe(0);
      expect(m.sourceOffset).toBe(Buffer.byteLength(filler));
      expect(m.occurrences).toBe(1);
      expect(r.memorizedSource).toMatchObject({ tokenOffset: Buffer.byteLength(filler), match: first.text });
      expect(r.memorizedSource!.before.endsWith('qzx ')).toBe(true);
      expect(r.warnings).toEqual([]);
      const files = readdirSync(cacheDir);
      expect(files).toHaveLength(1);
      const built = statSync(join(cacheDir, files[0]!)).mtimeMs;
      // A new engine (a new worker) reads the index from the cache instead of building it again.
      const again = new SampleEngine();
      const r2 = await again.run(job({ memorizationCacheDir: cacheDir }));
      again.dispose();
      expect(r2.diagnostics.memorization).toEqual(m);
      expect(statSync(join(cacheDir, files[0]!)).mtimeMs).toBe(built);
    } finally {
      fresh.dispose();
    }
  });

  it('samples without memorisation, with a warning, when the corpus is gone', async () => {
    rmSync(corpus);
    const r = await engine.run(job({ memorizationCacheDir: join(dir, 'cache2') }));
    expect(r.diagnostics.memorization).toBeNull();
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^no memorisation check: data\.corpus: file not found/);
  });

  it('names a missing checkpoint folder in one line', async () => {
    await expect(engine.run(job({ checkpointPath: join(dir, 'nope') }))).rejects.toThrow(/^checkpoint: no model\.safetensors in .*nope/);
  });

  it('cuts streamed pieces back to the text after a stop sequence', () => {
    expect(trimPieces(['ab', 'c\n', '\n', 'x'], 'abc')).toEqual(['ab', 'c', '', '']);
    expect(trimPieces(['ab', 'c'], 'abc')).toEqual(['ab', 'c']);
  });
});
