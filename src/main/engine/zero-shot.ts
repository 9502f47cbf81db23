// Zero-shot multiple choice scored the lm-evaluation-harness way: each continuation's summed log-likelihood given
// the context, the pair left-truncated to the model's context window; acc and acc_norm come from those sums.
import { tf } from './tf.ts';
import type { LanguageModel } from './model/registry.ts';
import type { Tokenizer } from './data/tokenizer.ts';
import { byteLength, type ChoiceScores, type McItem } from '../../shared/zero-shot/tasks.ts';

/**
 * log P(cont | ctx) summed over the continuation's tokens. As the harness does, the last block_size + 1 tokens of
 * ctx + cont are kept, the model reads all but the last, and the final |cont| positions score the continuation.
 */
export function continuationLogLik(model: LanguageModel, ctx: readonly number[], cont: readonly number[]): number {
  const B = model.spec.block_size;
  if (cont.length === 0) throw new RangeError('empty continuation');
  if (cont.length > B) throw new RangeError(`continuation of ${cont.length} tokens is longer than the context window (${B})`);
  const whole = [...ctx, ...cont].slice(-(B + 1));
  const input = whole.slice(0, -1);
  const T = input.length;
  return tf.tidy(() => {
    const { logits } = model.forward(tf.tensor2d(Int32Array.from(input), [1, T], 'int32'), { training: false });
    const logp = tf.logSoftmax(tf.slice(logits.reshape([T, -1]), [T - cont.length, 0], [cont.length, -1]));
    const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(Int32Array.from(cont), 'int32'), logp.shape[1]!)));
    return picked.dataSync()[0]!;
  });
}

/**
 * The harness's split of context and continuation into tokens: trailing spaces of the context move to the
 * continuation, the pair is encoded whole, and the continuation is what follows the context's own encoding.
 */
export function encodePair(tokenizer: Tokenizer, context: string, continuation: string): { ctx: number[]; cont: number[] } {
  const spaces = context.length - context.trimEnd().length;
  const c = spaces ? context.slice(0, -spaces) : context;
  const k = spaces ? context.slice(-spaces) + continuation : continuation;
  const whole = tokenizer.encode(c + k);
  const ctx = tokenizer.encode(c);
  return { ctx: Array.from(whole.slice(0, ctx.length)), cont: Array.from(whole.slice(ctx.length)) };
}

export interface ScoredTask {
  scored: ChoiceScores[];
  /** Items the tokenizer cannot encode (a char vocabulary without some character), by index. */
  skipped: { index: number; reason: string }[];
}

/** Scores every item; `progress` is called after each. */
export function scoreItems(model: LanguageModel, tokenizer: Tokenizer, items: readonly McItem[], progress?: (done: number) => void): ScoredTask {
  const scored: ChoiceScores[] = [];
  const skipped: ScoredTask['skipped'] = [];
  items.forEach((item, index) => {
    try {
      const logliks = item.choices.map((choice) => {
        const { ctx, cont } = encodePair(tokenizer, item.context, choice);
        return continuationLogLik(model, ctx, cont);
      });
      scored.push({ logliks, label: item.label, bytes: item.choices.map(byteLength) });
    } catch (e) {
      skipped.push({ index, reason: e instanceof Error ? e.message.split('\n')[0]! : String(e) });
    }
    progress?.(index + 1);
  });
  return { scored, skipped };
}
