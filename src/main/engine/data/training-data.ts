// Decides what a run trains on: a pretraining token stream (Dataset) or fine-tuning examples (SftDataset), from
// data.format and the corpus itself, and builds the tokenizer over everything the run will encode.
import { basename } from 'node:path';
import type { DataConfig } from '../../../shared/config.ts';
import { loadCorpus } from './corpus.ts';
import { Dataset } from './dataset.ts';
import { SftDataset, detectJsonlFormat, parseSftJsonl, type SftRecord } from './sft.ts';
import { SFT_BUILTIN, builtinSftSet } from './sft-builtin.ts';
import { renderExample } from '../../../shared/sft/template.ts';
import { createTokenizer, type Tokenizer } from './tokenizer.ts';

export type TrainingData =
  | { kind: 'text'; dataset: Dataset; tokenizer: Tokenizer }
  | { kind: 'sft'; dataset: SftDataset; tokenizer: Tokenizer; records: SftRecord[] };

/** Whether the corpus is fine-tuning data, deciding "auto" by the file's first line. */
export function dataFormat(cfg: Pick<DataConfig, 'corpus' | 'format'>, raw?: string): 'text' | 'sft' {
  if (cfg.format !== 'auto') return cfg.format;
  if (cfg.corpus === SFT_BUILTIN) return 'sft';
  if (!cfg.corpus.toLowerCase().endsWith('.jsonl')) return 'text';
  const text = raw ?? loadCorpus(cfg.corpus, { raw: true }).text;
  return detectJsonlFormat(text) ?? 'text';
}

/** The examples of a fine-tuning corpus, all or nothing. */
export function loadSftRecords(corpus: string): SftRecord[] {
  if (corpus === SFT_BUILTIN) return builtinSftSet();
  const { text, source } = loadCorpus(corpus, { raw: true });
  return parseSftJsonl(text, basename(source));
}

/**
 * Loads the run's data. `tokenizer` is the restored one on resume or init_from (so ids mean what they meant);
 * otherwise a char vocabulary is built over every text the run encodes, the mix corpus included.
 */
export function loadTrainingData(
  cfg: DataConfig,
  blockSize: number,
  seed: number,
  opts: { text?: string; tokenizer?: Tokenizer; beforeData?: (tokenizer: Tokenizer) => void } = {},
): TrainingData {
  if (opts.text === undefined && dataFormat(cfg) === 'sft') {
    const records = loadSftRecords(cfg.corpus);
    const mixText = cfg.mix ? loadCorpus(cfg.mix.corpus).text : '';
    const rendered = records.flatMap((r) => renderExample(r.turns, cfg.template).map((s) => s.text)).join('');
    const tokenizer = opts.tokenizer ?? createTokenizer(cfg.tokenizer, rendered + mixText);
    opts.beforeData?.(tokenizer);
    const mix = cfg.mix ? { tokens: encodeOrExplain(tokenizer, mixText, 'data.mix.corpus'), ratio: cfg.mix.ratio } : undefined;
    const dataset = new SftDataset(records, tokenizer, cfg.template, blockSize, cfg, seed, mix);
    return { kind: 'sft', dataset, tokenizer, records };
  }
  const text = opts.text ?? loadCorpus(cfg.corpus).text;
  const tokenizer = opts.tokenizer ?? createTokenizer(cfg.tokenizer, text);
  opts.beforeData?.(tokenizer);
  return { kind: 'text', dataset: new Dataset(encodeOrExplain(tokenizer, text, 'data.corpus'), blockSize, cfg, seed), tokenizer };
}

function encodeOrExplain(tok: Tokenizer, text: string, field: string): Int32Array {
  try {
    return tok.encode(text);
  } catch (e) {
    throw new Error(`${field}: the run's ${tok.kind} tokenizer cannot encode this text (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
}
