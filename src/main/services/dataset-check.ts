// The dataset's content is checked before a run is created, like its config: an empty file, one that is not UTF-8
// text, or one too short to fill a block in both splits is refused with the field named, not stored as a failed run.
import fs from 'node:fs';
import type { ConfigIssue, RunConfig } from '../../shared/config.ts';
import { loadCorpus, mobyDickPath } from '../engine/data/corpus.ts';
import { Dataset } from '../engine/data/dataset.ts';

/**
 * Above this the check is left to the training worker: reading and decoding gigabytes here would stall the app, and
 * a corpus this large fills any block the schema allows unless its validation split is made tiny.
 */
const checkedBytes = 16 * 1024 ** 2;

/** Token counts by file identity and tokenizer, so sweeps over one corpus read it once. */
const counts = new Map<string, { tokens: number; exact: boolean } | { problem: string }>();

function countTokens(file: string, corpus: string, tokenizer: RunConfig['data']['tokenizer']): { tokens: number; exact: boolean } | { problem: string } {
  const st = fs.statSync(file);
  const key = `${file}\0${st.size}\0${st.mtimeMs}\0${tokenizer}`;
  const cached = counts.get(key);
  if (cached) return cached;
  let result: { tokens: number; exact: boolean } | { problem: string };
  try {
    const { text } = loadCorpus(corpus);
    // gpt2 tokens are one byte or longer: the byte count bounds them from above without loading the BPE tables here.
    if (tokenizer === 'char') result = { tokens: Array.from(text).length, exact: true };
    else result = { tokens: Buffer.byteLength(text, 'utf8'), exact: tokenizer === 'byte' };
  } catch (e) {
    result = { problem: (e instanceof Error ? e.message : String(e)).replace(/^data\.corpus: /, '') };
  }
  counts.set(key, result);
  return result;
}

/** What is wrong with the config's dataset content, or null (also when it is too large to check here). */
export function datasetIssue(config: RunConfig): ConfigIssue | null {
  const corpus = config.data.corpus;
  const file = corpus === 'moby-dick' ? mobyDickPath() : corpus;
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return null;
  }
  if (size > checkedBytes) return null;
  const count = countTokens(file, corpus, config.data.tokenizer);
  if ('problem' in count) return { path: 'data.corpus', message: count.problem };
  try {
    new Dataset(new Int32Array(count.tokens), config.model.block_size, config.data, config.seed);
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).replace(/^data: /, '');
    const tokens = `${count.exact ? '' : 'at most '}${count.tokens} ${config.data.tokenizer} tokens`;
    return { path: 'data.corpus', message: `${corpus} is too short for model.block_size ${config.model.block_size}: ${tokens} in all, so ${why}` };
  }
  return null;
}
