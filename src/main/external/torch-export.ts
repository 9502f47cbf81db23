// `loupe export RUN --torch DIR`: the run's recipe as a plain PyTorch script (resources/torch/train_gpt.py filled
// in with the run's config), the logger it reports through, and the corpus as Loupe tokenized it, so the script
// trains on exactly the same tokens, split and validation batches without a tokenizer of its own.
import fs from 'node:fs';
import path from 'node:path';
import type { RunConfig } from '../../shared/config.ts';
import { loadCorpus } from '../engine/data/corpus.ts';
import { createTokenizer } from '../engine/data/tokenizer.ts';
import { repoRoot } from '../repo-root.ts';

export const torchTemplateFile = path.join(repoRoot, 'resources', 'torch', 'train_gpt.py');

export class TorchExportError extends Error {}

/** What the exported script cannot do yet, named by config field, so the export refuses rather than silently differs. */
export function unsupported(config: RunConfig): string[] {
  const out: string[] = [];
  if (config.model.family !== 'gpt') out.push(`model.family "${config.model.family}" (the script implements gpt)`);
  if (config.model.moe) out.push('model.moe');
  if (config.model.mlp_hidden !== null && config.model.mlp_hidden !== 4 * config.model.d_model) out.push('model.mlp_hidden (the script uses 4 × d_model)');
  if (config.train.optimizer !== 'adamw') out.push(`train.optimizer "${config.train.optimizer}" (the script uses AdamW)`);
  if (config.train.dispersion.weight > 0) out.push('train.dispersion');
  if (config.train.early_stopping_patience > 0) out.push('train.early_stopping_patience');
  return out;
}

/** A file name that is safe on every platform, from a run name. */
export function fileStem(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'run';
}

export function exportTorch(opts: { runId: string; name: string; config: RunConfig; dir: string; loggerFile: string }): { dir: string; files: string[]; tokens: number; vocab: number } {
  const { config } = opts;
  const missing = unsupported(config);
  if (missing.length) throw new TorchExportError(`export --torch does not support ${missing.join(', ')} yet`);
  const dir = path.resolve(opts.dir);
  if (fs.existsSync(path.join(dir, 'train.py'))) throw new TorchExportError(`${path.join(dir, 'train.py')} already exists; choose an empty folder`);
  const { text } = loadCorpus(config.data.corpus);
  const tokenizer = createTokenizer(config.data.tokenizer, text);
  const ids = tokenizer.encode(text);
  const wide = tokenizer.vocabSize > 65535;
  const bin = wide ? Buffer.from(new Int32Array(ids).buffer) : Buffer.from(Uint16Array.from(ids).buffer);
  const script = fs
    .readFileSync(torchTemplateFile, 'utf8')
    .replaceAll('__CONFIG_JSON__', JSON.stringify(config, null, 2))
    .replaceAll('__NAME__', config.name.replace(/["\\\n]/g, ' '))
    .replaceAll('__RUN_ID__', opts.runId)
    .replaceAll('__FILE_NAME__', fileStem(config.name))
    .replaceAll('__TOKENIZER__', config.data.tokenizer === 'byte' ? 'byte-level' : config.data.tokenizer)
    .replaceAll('__VOCAB__', String(tokenizer.vocabSize))
    .replaceAll('__TOKEN_DTYPE__', wide ? 'int32' : 'uint16');
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const files = [
    path.join(dir, 'train.py'),
    path.join(dir, 'loupe_logger.py'),
    path.join(dir, 'data', 'tokens.bin'),
    path.join(dir, 'data', 'loupe_tokenizer.json'),
    path.join(dir, 'loupe_config.json'),
  ];
  fs.writeFileSync(files[0], script, { mode: 0o755 });
  fs.copyFileSync(opts.loggerFile, files[1]);
  fs.writeFileSync(files[2], bin);
  fs.writeFileSync(files[3], JSON.stringify(tokenizer.toJSON()));
  fs.writeFileSync(files[4], `${JSON.stringify(config, null, 2)}\n`);
  return { dir, files, tokens: ids.length, vocab: tokenizer.vocabSize };
}
