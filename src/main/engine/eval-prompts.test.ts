// The eval prompt set (eval.prompts: builtin or a file), memorisation tracked at each eval, and compute/* readouts.
import { describe, it, expect, beforeAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import '@tensorflow/tfjs-backend-cpu';
import { tf } from './tf.ts';
import { Trainer } from './train.ts';
import { tinyConfig, tinyText } from './testing/tiny.ts';
import { loadProbePrompts, runEvalProbes } from './eval-probes.ts';
import { builtInDiagnosticSet } from '../../shared/generation/builtin-prompts.ts';
import { GenMetricKey } from '../../shared/generation/diagnosis.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-prompts-'));
const text = tinyText();

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('eval.prompts', () => {
  it('is the bundled set by default, or a prompt-set file; a bad file is one clear line', () => {
    expect(loadProbePrompts('builtin')).toBe(builtInDiagnosticSet);
    const file = path.join(dir, 'mine.json');
    fs.writeFileSync(file, JSON.stringify({ version: 1, id: 'mine', name: 'Mine', prompts: [{ id: 'whale', prompt: 'the whale' }] }));
    expect(loadProbePrompts(file).prompts.map((p) => p.id)).toEqual(['whale']);
    expect(() => loadProbePrompts(path.join(dir, 'nope.json'))).toThrow(/^eval\.prompts: cannot read prompt set .*nope\.json: ENOENT/);
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ version: 1, id: 'Bad Id', name: 'x', prompts: [] }));
    expect(() => loadProbePrompts(path.join(dir, 'bad.json'))).toThrow(/^eval\.prompts: .*bad\.json: /);
  });

  it('samples the chosen set at an eval, with memorisation against the training split and the compute spent', async () => {
    const file = path.join(dir, 'two.json');
    fs.writeFileSync(file, JSON.stringify({ version: 1, id: 'two', name: 'Two', prompts: [{ id: 'a', prompt: 'the whale ' }, { id: 'b', prompt: 'call me ' }] }));
    const config = tinyConfig({ data: { tokenizer: 'byte' }, model: { n_layer: 1, n_head: 2, d_model: 16, block_size: 64 }, eval: { generation: true, prompts: file } });
    const t = new Trainer({ config, backend: 'cpu', text });
    t.trainStep();
    const points = await runEvalProbes(t);
    const value = (key: string): number | undefined => points.find((p) => p.key === key)?.value;
    // Byte-level samples of a model trained on a 10-word vocabulary repeat training text: at least one token matches.
    expect(value(GenMetricKey.memorizedLength)).toBeGreaterThanOrEqual(1);
    expect(value('compute/epochs')).toBeCloseTo(t.tokensSeen / t.data.train.length, 12);
    expect(value('compute/flops')).toBeGreaterThan(6 * 16 * 16 * t.tokensSeen);
    t.dispose();
  });
});
