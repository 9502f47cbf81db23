// `export --torch`: the script, logger, config and tokens are written; the script is valid Python carrying the run's
// config; the tokens are the corpus as Loupe tokenizes it; recipes the script cannot follow are refused by field.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunConfig } from '../../shared/config.ts';
import { loadCorpus } from '../engine/data/corpus.ts';
import { pythonLoggerFile } from '../services/external.ts';
import { exportTorch, fileStem, TorchExportError } from './torch-export.ts';

let dir: string;
beforeEach(() => void (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-torch-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('exportTorch', () => {
  it('writes a valid script with the run config, the logger and the byte tokens of the corpus', () => {
    const corpus = path.join(dir, 'tiny.txt');
    fs.writeFileSync(corpus, 'hello world, hello loupe. ');
    const config = RunConfig.parse({ name: 'my run/1', data: { corpus }, train: { steps: 30, warmup_steps: 3 } });
    const out = path.join(dir, 'job');
    const r = exportTorch({ runId: 'r1', name: config.name, config, dir: out, loggerFile: pythonLoggerFile });
    expect(r.vocab).toBe(256);
    const script = fs.readFileSync(path.join(out, 'train.py'), 'utf8');
    expect(script).not.toMatch(/__[A-Z_]+__/);
    expect(script).toContain('runs/my-run-1.jsonl');
    execFileSync('python3', ['-m', 'py_compile', path.join(out, 'train.py')]);
    const embedded = /CONFIG = json\.loads\(r"""([\s\S]*?)"""\)/.exec(script)![1];
    expect(JSON.parse(embedded)).toEqual(config);
    const tokens = new Uint16Array(new Uint8Array(fs.readFileSync(path.join(out, 'data', 'tokens.bin'))).buffer);
    expect([...tokens]).toEqual([...Buffer.from(loadCorpus(corpus).text)]);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'data', 'loupe_tokenizer.json'), 'utf8'))).toEqual({ kind: 'byte' });
    expect(fs.readFileSync(path.join(out, 'loupe_logger.py'), 'utf8')).toBe(fs.readFileSync(pythonLoggerFile, 'utf8'));
    expect(() => exportTorch({ runId: 'r1', name: config.name, config, dir: out, loggerFile: pythonLoggerFile })).toThrow(/already exists/);
  });

  it('refuses recipes the script does not implement, naming the fields', () => {
    const config = RunConfig.parse({ model: { family: 'llama' }, train: { optimizer: 'muon' } });
    expect(() => exportTorch({ runId: 'r', name: 'x', config, dir, loggerFile: pythonLoggerFile })).toThrow(TorchExportError);
    expect(() => exportTorch({ runId: 'r', name: 'x', config, dir, loggerFile: pythonLoggerFile })).toThrow(/model\.family "llama".*train\.optimizer "muon"/);
  });

  it('makes safe file names', () => {
    expect(fileStem('baseline: lr=1e-3 / seed 2')).toBe('baseline-lr-1e-3-seed-2');
    expect(fileStem('///')).toBe('run');
  });
});
