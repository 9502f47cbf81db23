// One sampling job end to end, as the sample worker runs it: load the checkpoint (the last one stays loaded),
// generate with the KV cache, look the output up in the run's training data and diagnose it (DESIGN §5).
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { diagnoseSample } from '../../shared/generation/diagnosis.ts';
import type { MemorizedSource } from '../../shared/api/samples.ts';
import { CheckpointState } from './checkpoint/checkpoint.ts';
import { loadCorpus } from './data/corpus.ts';
import { Dataset } from './data/dataset.ts';
import type { Tokenizer } from './data/tokenizer.ts';
import type { LanguageModel } from './model/registry.ts';
import { generate, loadForSampling } from './sample.ts';
import type { MemorizationIndex } from './diagnostics/memorization.ts';
import { loadOrBuildMemorizationIndex } from './diagnostics/memorization-cache.ts';
import type { SampleJob, SampleJobResult } from '../../shared/sample-worker-protocol.ts';
import type { SamplePhase } from '../../shared/api/samples.ts';
import { oneLine } from '../../shared/one-line.ts';

export interface SampleJobHooks {
  phase?: (phase: SamplePhase) => void;
  token?: (index: number, piece: string, entropy: number) => void;
  cancelled?: () => boolean;
}

/** Training tokens either side of a memorised span shown as context. */
const SOURCE_CONTEXT = 40;
/** Indexes kept in memory (each is 8 bytes per training token). */
const MAX_INDEXES = 2;

interface Loaded {
  key: string;
  model: LanguageModel;
  tokenizer: Tokenizer;
  step: number;
  state: CheckpointState;
}

function readState(checkpointPath: string): CheckpointState {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(checkpointPath, 'state.json'), 'utf8'));
  } catch {
    throw new Error(`checkpoint: no readable state.json in ${checkpointPath} (not a Loupe checkpoint, or it was pruned)`);
  }
  const parsed = CheckpointState.safeParse(raw);
  if (!parsed.success) throw new Error(`checkpoint: state.json is invalid at ${checkpointPath} (${parsed.error.issues[0]?.path.join('.')})`);
  return parsed.data;
}

/** Identifies the training token stream: corpus text, tokenizer and split all change what was trained on. */
export function datasetHash(text: string, tokenizer: Tokenizer, state: CheckpointState): string {
  const h = createHash('sha256');
  h.update(text);
  h.update('\0');
  h.update(JSON.stringify(tokenizer.toJSON()));
  h.update(`\0${state.config.data.val_fraction}\0${state.config.data.train_fraction}`);
  return h.digest('hex').slice(0, 40);
}

/** Runs sampling jobs one at a time; keeps the last model and a few memorisation indexes warm between jobs. */
export class SampleEngine {
  private loaded: Loaded | null = null;
  private readonly indexes = new Map<string, MemorizationIndex>();

  private load(checkpointPath: string): Loaded {
    let key: string;
    try {
      const st = statSync(join(checkpointPath, 'model.safetensors'));
      key = `${checkpointPath}\0${st.mtimeMs}\0${st.size}`;
    } catch {
      throw new Error(`checkpoint: no model.safetensors in ${checkpointPath} (not a Loupe checkpoint, or it was pruned)`);
    }
    if (this.loaded?.key === key) return this.loaded;
    const state = readState(checkpointPath);
    this.loaded?.model.dispose();
    this.loaded = null;
    const { model, tokenizer, step } = loadForSampling(checkpointPath);
    this.loaded = { key, model, tokenizer, step, state };
    return this.loaded;
  }

  /** The run's training split as a suffix-array index: from memory, else the disk cache, else built (and cached). */
  private async trainingIndex(loaded: Loaded, cacheDir: string, phase: (p: SamplePhase) => void): Promise<MemorizationIndex> {
    const { state, tokenizer } = loaded;
    const { text } = loadCorpus(state.config.data.corpus);
    const hash = datasetHash(text, tokenizer, state);
    const warm = this.indexes.get(hash);
    if (warm) return warm;
    phase('indexing');
    const { index } = await loadOrBuildMemorizationIndex(cacheDir, hash, () => {
      const data = new Dataset(tokenizer.encode(text), state.config.model.block_size, state.config.data, state.config.seed);
      return data.train;
    });
    this.indexes.set(hash, index);
    while (this.indexes.size > MAX_INDEXES) this.indexes.delete(this.indexes.keys().next().value!);
    return index;
  }

  async run(job: SampleJob, hooks: SampleJobHooks = {}): Promise<SampleJobResult> {
    const phase = hooks.phase ?? (() => {});
    phase('loading');
    const loaded = this.load(job.checkpointPath);
    phase('generating');
    const pieces: string[] = [];
    const t0 = performance.now();
    const out = await generate(
      loaded.model,
      loaded.tokenizer,
      job.prompt,
      { ...job.settings, useCache: true },
      {
        onToken: (_id, piece, entropy) => {
          hooks.token?.(pieces.length, piece, entropy);
          pieces.push(piece);
        },
        cancelled: hooks.cancelled,
      },
    );
    const generateMs = performance.now() - t0;
    const warnings: string[] = [];
    let memorization = null;
    let memorizedSource: MemorizedSource | null = null;
    if (job.memorizationCacheDir !== null && out.tokens.length > 0) {
      try {
        const index = await this.trainingIndex(loaded, job.memorizationCacheDir, phase);
        memorization = index.longestMatch(out.tokens);
        if (memorization.length > 0) memorizedSource = sourceOf(index, loaded.tokenizer, memorization.sourceOffset, memorization.length);
      } catch (e) {
        warnings.push(`no memorisation check: ${oneLine(e)}`);
      }
    }
    phase('diagnosing');
    const diagnostics = diagnoseSample({
      tokens: out.tokens,
      text: out.text,
      entropies: out.entropies,
      expectedKeywords: job.expectedKeywords ?? undefined,
      memorization,
    });
    return {
      step: loaded.step,
      text: out.text,
      tokenIds: out.tokens,
      pieces: trimPieces(pieces, out.text),
      entropies: out.entropies,
      diagnostics,
      memorizedSource,
      finish: out.finish,
      warnings,
      generateMs,
    };
  }

  dispose(): void {
    this.loaded?.model.dispose();
    this.loaded = null;
    this.indexes.clear();
  }
}

function sourceOf(index: MemorizationIndex, tokenizer: Tokenizer, offset: number, length: number): MemorizedSource {
  const t = index.tokens;
  return {
    tokenOffset: offset,
    before: tokenizer.decode(t.subarray(Math.max(0, offset - SOURCE_CONTEXT), offset)),
    match: tokenizer.decode(t.subarray(offset, offset + length)),
    after: tokenizer.decode(t.subarray(offset + length, Math.min(t.length, offset + length + SOURCE_CONTEXT))),
  };
}

/** After a stop sequence the text is shorter than the streamed pieces: cut them to it, one piece per token kept. */
export function trimPieces(pieces: readonly string[], text: string): string[] {
  let left = text.length;
  return pieces.map((p) => {
    const kept = p.slice(0, Math.max(0, left));
    left -= kept.length;
    return kept;
  });
}
