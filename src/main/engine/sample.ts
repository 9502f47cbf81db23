// Sampling from a trained model: greedy, temperature, top-k, top-p, repetition penalty, stop sequences, seed.
// Decodes incrementally with the model's KV cache; `useCache: false` recomputes the whole context per token
// (the reference the cache is tested against, and the benchmark's baseline).
import { tf } from './tf.ts';
import type { SampleSettings as SharedSampleSettings } from '../../shared/api/samples.ts';
import { Rng } from './rng.ts';
import { createModel, type KvCache, type LanguageModel } from './model/registry.ts';
import { loadCheckpoint } from './checkpoint/checkpoint.ts';
import { tokenizerFromJson, type Tokenizer } from './data/tokenizer.ts';

/** The settings users pick (one shape everywhere), plus whether decoding uses the KV cache. */
export type SampleSettings = SharedSampleSettings & { useCache: boolean };

export const defaultSampleSettings: SampleSettings = {
  maxTokens: 256,
  temperature: 0.8,
  topK: 0,
  topP: 1,
  repetitionPenalty: 1,
  seed: 1337,
  stop: [],
  useCache: true,
};

export interface SampleHooks {
  /** Called for every generated token with its text piece (may be '' mid-UTF-8) and next-token entropy (nats). */
  onToken?: (id: number, piece: string, entropy: number) => void;
  /** Polled between tokens. */
  cancelled?: () => boolean;
}

export interface SampleResult {
  text: string;
  /** Generated token ids (without the prompt). */
  tokens: number[];
  /** Entropy (nats) of the model's untempered next-token distribution at each generated position. */
  entropies: number[];
  finish: 'length' | 'stop' | 'cancelled';
}

/** Picks the next token from raw logits. Exported for tests. */
export function pickToken(logits: Float32Array, context: number[], s: SampleSettings, rng: Rng): number {
  const z = Float64Array.from(logits);
  if (s.repetitionPenalty !== 1) {
    for (const id of new Set(context)) z[id] = z[id] > 0 ? z[id] / s.repetitionPenalty : z[id] * s.repetitionPenalty;
  }
  if (s.temperature <= 0) {
    let best = 0;
    for (let i = 1; i < z.length; i++) if (z[i] > z[best]) best = i;
    return best;
  }
  let order = Array.from(z.keys()).sort((a, b) => z[b] - z[a]);
  if (s.topK > 0) order = order.slice(0, s.topK);
  const max = z[order[0]];
  let probs = order.map((i) => Math.exp((z[i] - max) / s.temperature));
  let total = probs.reduce((a, b) => a + b, 0);
  if (s.topP < 1) {
    // Smallest prefix of the sorted distribution whose mass reaches top_p (always at least one token).
    let cum = 0;
    let keep = 0;
    while (keep < probs.length && cum < s.topP * total) cum += probs[keep++];
    order = order.slice(0, keep);
    probs = probs.slice(0, keep);
    total = cum;
  }
  let u = rng.uniform() * total;
  for (let i = 0; i < order.length; i++) {
    u -= probs[i];
    if (u < 0) return order[i];
  }
  return order[order.length - 1];
}

function entropyOf(logits: Float32Array): number {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  const logSum = Math.log(sum);
  let h = 0;
  for (const v of logits) {
    const lp = v - max - logSum;
    h -= Math.exp(lp) * lp;
  }
  return h;
}

/** Last-position logits of the context, cropped to the block (nanoGPT's generate). */
async function fullLogits(model: LanguageModel, ids: number[]): Promise<Float32Array> {
  const ctx = ids.slice(-model.spec.block_size);
  const last = tf.tidy(() => {
    const x = tf.tensor2d([ctx], [1, ctx.length], 'int32');
    const { logits } = model.forward(x, { training: false });
    return logits.slice([0, ctx.length - 1, 0], [1, 1, model.spec.vocab_size]);
  });
  try {
    return (await last.data()) as Float32Array;
  } finally {
    last.dispose();
  }
}

export async function generate(
  model: LanguageModel,
  tokenizer: Tokenizer,
  prompt: string,
  settings: Partial<SampleSettings> = {},
  hooks: SampleHooks = {},
): Promise<SampleResult> {
  const s = { ...defaultSampleSettings, ...settings };
  const rng = new Rng(s.seed, 3);
  const promptIds = Array.from(tokenizer.encode(prompt));
  if (promptIds.length === 0) throw new Error('sample: the prompt is empty');
  const ids = [...promptIds];
  const out: number[] = [];
  const entropies: number[] = [];
  let cache: KvCache | null = null;
  let fed = 0;
  let finish: SampleResult['finish'] = 'length';
  let text = '';
  try {
    while (out.length < s.maxTokens) {
      if (hooks.cancelled?.()) {
        finish = 'cancelled';
        break;
      }
      let logits: Float32Array;
      if (s.useCache && ids.length <= model.spec.block_size) {
        // Learned absolute positions cannot slide, so past the block the cache gives way to full recomputation.
        const fresh = ids.slice(fed);
        const x = tf.tensor2d([fresh], [1, fresh.length], 'int32');
        const r = model.decode(x, cache);
        x.dispose();
        cache = r.cache;
        fed = ids.length;
        try {
          // Asynchronous: GPU backends cannot read synchronously.
          logits = (await r.logits.data()) as Float32Array;
        } finally {
          r.logits.dispose();
        }
      } else {
        logits = await fullLogits(model, ids);
      }
      const id = pickToken(logits, ids, s, rng);
      entropies.push(entropyOf(logits));
      ids.push(id);
      out.push(id);
      const full = settledText(tokenizer.decode(out));
      const hit = s.stop.map((st) => full.indexOf(st)).filter((i) => i >= 0);
      if (hit.length > 0) {
        text = full.slice(0, Math.min(...hit));
        finish = 'stop';
        hooks.onToken?.(id, '', entropies[entropies.length - 1]);
        break;
      }
      hooks.onToken?.(id, full.slice(text.length), entropies[entropies.length - 1]);
      text = full;
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    cache?.dispose();
  }
  return { text, tokens: out, entropies, finish };
}

/**
 * The decoded text up to its last complete character. A multi-byte UTF-8 character split across tokens decodes to
 * U+FFFD until its last byte arrives: held back, the character appears whole in the piece of the token that completes
 * it (earlier tokens get ''), and an incomplete one at the very end is dropped rather than shown as "�".
 */
export function settledText(full: string): string {
  return full.replace(/\uFFFD+$/u, '');
}

/** Loads a checkpoint folder for sampling (the caller disposes the model). */
export function loadForSampling(checkpointPath: string): { model: LanguageModel; tokenizer: Tokenizer; step: number } {
  const ck = loadCheckpoint(checkpointPath);
  const model = createModel(ck.spec, new Rng(0));
  for (const [name, v] of model.params) {
    const data = ck.params.get(name);
    if (!data) throw new Error(`checkpoint: model.safetensors is missing ${name}`);
    tf.tidy(() => v.assign(tf.tensor(data, v.shape, 'float32')));
  }
  return { model, tokenizer: tokenizerFromJson(ck.state.tokenizer), step: ck.state.step };
}
