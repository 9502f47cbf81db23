// The chat template that turns a fine-tuning example into text, and the example shape itself. Shared so the
// engine trains on exactly the text the playground shows and sends back when sampling a fine-tuned model.
import { z } from 'zod';

export const ChatTemplate = z
  .object({
    system: z.string().default('System: ').describe('Written before a system message.'),
    user: z.string().default('Q: ').describe('Written before each user turn (the prompt).'),
    assistant: z.string().default('A: ').describe('Written before each assistant turn; the model continues from here when sampling.'),
    end: z
      .string()
      .min(1)
      .default('\n')
      .describe('Closes every turn. The model learns to emit it after a response, so sampling stops there. Short markers keep examples inside small blocks.'),
  })
  .strict();
export type ChatTemplate = z.infer<typeof ChatTemplate>;
export const defaultChatTemplate: ChatTemplate = ChatTemplate.parse({});

export type Role = 'system' | 'user' | 'assistant';
export interface Turn {
  role: Role;
  content: string;
}

/** One fine-tuning example in its normal form: a list of turns, with the source line for error messages. */
export interface SftExample {
  turns: Turn[];
  /** 1-based line in the source file (0 for generated examples). */
  line: number;
}

/** A rendered piece of text and whether the loss counts on it (assistant content and its closing marker). */
export interface Segment {
  text: string;
  trained: boolean;
}

/** Renders the turns with the template: markers and prompts are context, assistant content + `end` is learned. */
export function renderExample(turns: readonly Turn[], t: ChatTemplate = defaultChatTemplate): Segment[] {
  const out: Segment[] = [];
  for (const turn of turns) {
    const open = turn.role === 'system' ? t.system : turn.role === 'user' ? t.user : t.assistant;
    out.push({ text: open, trained: false });
    const trained = turn.role === 'assistant';
    out.push({ text: turn.content + t.end, trained });
  }
  return out;
}

/** The text a fine-tuned model is prompted with: the user's question, then the assistant marker to continue from. */
export function promptText(prompt: string, t: ChatTemplate = defaultChatTemplate, system?: string): string {
  const head = system ? t.system + system + t.end : '';
  return head + t.user + prompt + t.end + t.assistant;
}

/** What ends an answer when sampling: the end marker without trailing whitespace, unless it is only whitespace. */
export function endMarker(t: ChatTemplate = defaultChatTemplate): string {
  return t.end.trimEnd() || t.end;
}

/** Cuts a sampled continuation at the first end marker (the model's "I am done"); the rest is not its answer. */
export function responseFromContinuation(text: string, t: ChatTemplate = defaultChatTemplate): { response: string; ended: boolean } {
  const at = text.indexOf(endMarker(t));
  return at === -1 ? { response: text, ended: false } : { response: text.slice(0, at), ended: true };
}
