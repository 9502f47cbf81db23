// The fine-tuning probe run at each eval: the model answers a fixed sample of held-out prompts (greedy, through
// the chat template), and its answers are scored for response collapse and accuracy (sft/* metrics).
import { endMarker, promptText, responseFromContinuation, type ChatTemplate } from '../../shared/sft/template.ts';
import { sftCollapseMetrics, type SftAnswer, type SftMetricKey } from '../../shared/sft/collapse.ts';
import { examplePrompt, exampleResponse, type SftRecord } from './data/sft.ts';
import { generate } from './sample.ts';
import type { LanguageModel } from './model/registry.ts';
import type { Tokenizer } from './data/tokenizer.ts';

/** Held-out prompts answered per eval: enough for sameness to mean something, few enough to cost ~a val eval. */
export const SFT_PROBE_PROMPTS = 16;

export interface SftProbe {
  metrics: Partial<Record<SftMetricKey, number>>;
  answers: (SftAnswer & { prompt: string })[];
}

/**
 * Greedy answers, because accuracy and "the same answer to every question" are properties of the model's most
 * likely answer; the length cap is twice the longest reference, so a loop shows without running to the block end.
 */
export async function probeSft(
  model: LanguageModel,
  tokenizer: Tokenizer,
  heldOut: readonly SftRecord[],
  template: ChatTemplate,
  cancelled?: () => boolean,
): Promise<SftProbe | null> {
  const picked = heldOut.slice(0, SFT_PROBE_PROMPTS);
  if (picked.length === 0) return null;
  const longest = Math.max(...picked.map((r) => tokenizer.encode(exampleResponse(r) + template.end).length));
  const maxNewTokens = Math.max(8, Math.min(2 * longest, model.spec.block_size));
  const answers: SftProbe['answers'] = [];
  for (const r of picked) {
    const prompt = examplePrompt(r);
    const system = r.turns.find((t) => t.role === 'system')?.content;
    const out = await generate(model, tokenizer, promptText(prompt, template, system), {
      maxTokens: maxNewTokens,
      temperature: 0,
      stop: [endMarker(template)],
    }, { cancelled });
    if (out.finish === 'cancelled') return null;
    const { response } = responseFromContinuation(out.text, template);
    answers.push({ prompt, response, reference: exampleResponse(r), keywords: r.keywords, ended: out.finish === 'stop' });
  }
  return { metrics: sftCollapseMetrics(answers), answers };
}
