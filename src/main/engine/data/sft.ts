// Fine-tuning data: JSONL examples ({"prompt","response"} or {"messages":[…]}) parsed all-or-nothing, rendered
// with the chat template, and batched one example per row with the loss on response tokens only (-100 elsewhere).
import { z } from 'zod';
import { renderExample, type ChatTemplate, type SftExample, type Turn } from '../../../shared/sft/template.ts';
import { Rng, type RngState } from '../rng.ts';
import type { Batch } from './dataset.ts';
import type { Tokenizer } from './tokenizer.ts';

/** The target id the loss skips, as PyTorch's `cross_entropy(ignore_index=-100)`. */
export const IGNORE_INDEX = -100;

/** The split of examples is the same for every seed of a run, so seeds compare on identical held-out prompts. */
const SPLIT_SEED = 0x5f7;

const Message = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});
const PromptResponse = z.object({
  prompt: z.string(),
  response: z.string(),
  system: z.string().optional(),
  keywords: z.array(z.string()).optional(),
});
const Messages = z.object({ messages: z.array(Message).min(1), keywords: z.array(z.string()).optional() });

/** An example plus what the eval may check the model's answer against. */
export interface SftRecord extends SftExample {
  /** Words a correct answer contains (from the file's optional "keywords" field). */
  keywords: string[];
}

export type JsonlFormat = 'text' | 'sft';

/** Tells pretraining JSONL (lines with "text") from fine-tuning JSONL by the first non-empty line. */
export function detectJsonlFormat(raw: string): JsonlFormat | null {
  for (const line of raw.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const row: unknown = JSON.parse(line);
      if (row && typeof row === 'object') {
        if ('prompt' in row || 'messages' in row) return 'sft';
        if ('text' in row) return 'text';
      }
    } catch {
      return null;
    }
    return null;
  }
  return null;
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(line)' : path.map(String).join('.');
}

/** Parses every line or throws one error naming the file, the line and the field; nothing is half-loaded. */
export function parseSftJsonl(raw: string, name: string): SftRecord[] {
  const out: SftRecord[] = [];
  raw.split('\n').forEach((text, i) => {
    const line = i + 1;
    if (text.trim() === '') return;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch {
      throw new Error(`data.corpus: ${name} line ${line} is not valid JSON`);
    }
    if (!row || typeof row !== 'object' || Array.isArray(row))
      throw new Error(`data.corpus: ${name} line ${line} is not a JSON object`);
    if ('messages' in row) {
      const r = Messages.safeParse(row);
      if (!r.success) {
        const issue = r.error.issues[0]!;
        throw new Error(`data.corpus: ${name} line ${line}, field ${issuePath(issue.path)}: ${issue.message}`);
      }
      const turns: Turn[] = r.data.messages;
      if (!turns.some((t) => t.role === 'assistant'))
        throw new Error(`data.corpus: ${name} line ${line}, field messages: no "assistant" message, so nothing to learn`);
      if (!turns.some((t) => t.role === 'user'))
        throw new Error(`data.corpus: ${name} line ${line}, field messages: no "user" message to answer`);
      out.push({ turns, line, keywords: r.data.keywords ?? [] });
    } else if ('prompt' in row || 'response' in row) {
      const r = PromptResponse.safeParse(row);
      if (!r.success) {
        const issue = r.error.issues[0]!;
        throw new Error(`data.corpus: ${name} line ${line}, field ${issuePath(issue.path)}: ${issue.message}`);
      }
      const turns: Turn[] = [];
      if (r.data.system) turns.push({ role: 'system', content: r.data.system });
      turns.push({ role: 'user', content: r.data.prompt }, { role: 'assistant', content: r.data.response });
      out.push({ turns, line, keywords: r.data.keywords ?? [] });
    } else if ('text' in row) {
      throw new Error(`data.corpus: ${name} line ${line} has a "text" field in a fine-tuning file; use one kind of line per file`);
    } else {
      throw new Error(`data.corpus: ${name} line ${line} needs "prompt" and "response", or "messages"`);
    }
  });
  if (out.length === 0) throw new Error(`data.corpus: ${name} holds no examples`);
  return out;
}

/** The prompt an example asks (its user turns), the key for duplicate detection and for sampling at evals. */
export function examplePrompt(ex: SftExample): string {
  return ex.turns.filter((t) => t.role === 'user').map((t) => t.content).join('\n');
}

/** The reference answer: the last assistant turn. */
export function exampleResponse(ex: SftExample): string {
  const turns = ex.turns.filter((t) => t.role === 'assistant');
  return turns[turns.length - 1]?.content ?? '';
}

export interface EncodedExample {
  tokens: Int32Array;
  /** 1 where the token is a training target (response tokens and the closing marker). */
  trained: Uint8Array;
}

export function encodeExample(tok: Tokenizer, ex: SftExample, template: ChatTemplate): EncodedExample {
  const pieces = renderExample(ex.turns, template).map((s) => ({ ids: tok.encode(s.text), trained: s.trained }));
  const n = pieces.reduce((a, p) => a + p.ids.length, 0);
  const tokens = new Int32Array(n);
  const trained = new Uint8Array(n);
  let at = 0;
  for (const p of pieces) {
    tokens.set(p.ids, at);
    if (p.trained) trained.fill(1, at, at + p.ids.length);
    at += p.ids.length;
  }
  return { tokens, trained };
}

/** Writes one example into row `r` of x/y: the last T+1 tokens (so the response survives a long prompt), padded. */
function writeRow(x: Int32Array, y: Int32Array, r: number, T: number, ex: EncodedExample): void {
  const start = Math.max(0, ex.tokens.length - (T + 1));
  const n = Math.min(ex.tokens.length - start - 1, T);
  x.fill(0, r * T, (r + 1) * T);
  y.fill(IGNORE_INDEX, r * T, (r + 1) * T);
  for (let i = 0; i < n; i++) {
    x[r * T + i] = ex.tokens[start + i]!;
    if (ex.trained[start + i + 1]) y[r * T + i] = ex.tokens[start + i + 1]!;
  }
}

export interface SftSplitReport {
  trainExamples: number;
  valExamples: number;
  /** Examples longer than block_size + 1 tokens, kept by their last block (their prompt start is cut). */
  truncated: number;
  /** Held-out examples whose prompt also appears, verbatim, in the training split. */
  duplicatePrompts: number;
  duplicateExamples: string[];
}

export interface MixSource {
  tokens: Int32Array;
  ratio: number;
}

/**
 * The fine-tuning counterpart of `Dataset`: the same batch interface, so the train loop does not care. Rows are
 * whole examples; a `mix` replaces a fixed share of each batch's rows with windows of an auxiliary token stream
 * (trained on every token), the "other data as a regulariser" of the SFT study.
 */
export class SftDataset {
  readonly trainSet: EncodedExample[];
  readonly valSet: EncodedExample[];
  readonly valRecords: SftRecord[];
  readonly report: SftSplitReport;
  private rng: Rng;

  constructor(
    records: readonly SftRecord[],
    tok: Tokenizer,
    template: ChatTemplate,
    readonly blockSize: number,
    cfg: { val_fraction: number; train_fraction: number },
    seed: number,
    private readonly mix?: MixSource,
  ) {
    if (records.length < 2) throw new Error(`data: fine-tuning needs at least 2 examples (one to hold out), got ${records.length}`);
    const order = records.map((_, i) => i);
    const split = new Rng(SPLIT_SEED, 0);
    for (let i = order.length - 1; i > 0; i--) {
      const j = split.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const nVal = Math.max(1, Math.floor(records.length * cfg.val_fraction));
    const valIdx = order.slice(0, nVal).sort((a, b) => a - b);
    const trainAll = order.slice(nVal).sort((a, b) => a - b);
    const trainIdx = trainAll.slice(0, Math.max(1, Math.floor(trainAll.length * cfg.train_fraction)));
    const encode = (i: number): EncodedExample => encodeExample(tok, records[i]!, template);
    this.trainSet = trainIdx.map(encode);
    this.valSet = valIdx.map(encode);
    this.valRecords = valIdx.map((i) => records[i]!);
    const trainPrompts = new Set(trainIdx.map((i) => examplePrompt(records[i]!)));
    const dups = this.valRecords.filter((r) => trainPrompts.has(examplePrompt(r)));
    this.report = {
      trainExamples: this.trainSet.length,
      valExamples: this.valSet.length,
      truncated: [...this.trainSet, ...this.valSet].filter((e) => e.tokens.length > blockSize + 1).length,
      duplicatePrompts: dups.length,
      duplicateExamples: dups.slice(0, 3).map((r) => `line ${r.line}: ${examplePrompt(r).slice(0, 60)}`),
    };
    if (mix && mix.tokens.length < blockSize + 1)
      throw new Error(`data.mix.corpus: ${mix.tokens.length} tokens, shorter than one block (block_size + 1 = ${blockSize + 1})`);
    this.rng = new Rng(seed, 1);
  }

  /** The training examples as one token stream (the memorisation index of a fine-tuning run). */
  get train(): Int32Array {
    return concat(this.trainSet);
  }

  /** The held-out examples as one token stream (condensation and memorisation read held-out text this way). */
  get val(): Int32Array {
    return concat(this.valSet);
  }

  /** Rows of each batch drawn from the mix corpus: a fixed count, so every update sees the same proportion. */
  mixRows(batch: number): number {
    return this.mix ? Math.min(batch, Math.round(batch * this.mix.ratio)) : 0;
  }

  nextTrainBatch(batch: number): Batch {
    const T = this.blockSize;
    const x = new Int32Array(batch * T);
    const y = new Int32Array(batch * T);
    const nMix = this.mixRows(batch);
    for (let r = 0; r < batch; r++) {
      if (r >= batch - nMix && this.mix) {
        const s = this.rng.int(this.mix.tokens.length - T);
        x.set(this.mix.tokens.subarray(s, s + T), r * T);
        y.set(this.mix.tokens.subarray(s + 1, s + 1 + T), r * T);
      } else {
        writeRow(x, y, r, T, this.trainSet[this.rng.int(this.trainSet.length)]!);
      }
    }
    return { x, y, batch, T };
  }

  /** The held-out examples in order, at most `count` batches (fewer when the split is small; never repeated). */
  valBatches(count: number, batch: number): Batch[] {
    const T = this.blockSize;
    const out: Batch[] = [];
    for (let b = 0; b < count && b * batch < this.valSet.length; b++) {
      const rows = this.valSet.slice(b * batch, (b + 1) * batch);
      const x = new Int32Array(rows.length * T);
      const y = new Int32Array(rows.length * T);
      rows.forEach((ex, r) => writeRow(x, y, r, T, ex));
      out.push({ x, y, batch: rows.length, T });
    }
    return out;
  }

  cursor(): RngState {
    return this.rng.state();
  }

  restoreCursor(state: RngState): void {
    this.rng = Rng.fromState(state);
  }
}

function concat(examples: readonly EncodedExample[]): Int32Array {
  const out = new Int32Array(examples.reduce((a, e) => a + e.tokens.length, 0));
  let at = 0;
  for (const e of examples) {
    out.set(e.tokens, at);
    at += e.tokens.length;
  }
  return out;
}
