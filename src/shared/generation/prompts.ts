// Prompt sets for the playground grid and the per-eval generation health check: the built-in diagnostic
// set (resources/prompts/diagnostic.json) and users' saved sets share this schema.
import { z } from 'zod';

const slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lowercase letters, digits, "-" and "_"');

const keyword = z.string().min(1).max(200);

export const PromptTag = z.enum(['reasoning', 'pattern', 'memorization', 'knowledge', 'open-ended', 'loop-bait']);
export type PromptTag = z.infer<typeof PromptTag>;

export const DiagnosticPrompt = z
  .object({
    id: slug,
    prompt: z.string().min(1).max(4000),
    /** Each entry is a keyword, or a list of alternatives of which any one counts (["2", "two"]). */
    expectedKeywords: z.array(z.union([keyword, z.array(keyword).min(1).max(16)])).max(32).default([]),
    tags: z.array(PromptTag).max(8).default([]),
    /** What the probe is for, shown as a hint in the grid. */
    note: z.string().max(500).optional(),
  })
  .strict();
export type DiagnosticPrompt = z.infer<typeof DiagnosticPrompt>;

export const PromptSet = z
  .object({
    version: z.literal(1),
    id: slug,
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    prompts: z.array(DiagnosticPrompt).min(1).max(500),
  })
  .strict()
  .superRefine((set, ctx) => {
    const seen = new Set<string>();
    set.prompts.forEach((p, i) => {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', message: `duplicate prompt id "${p.id}"`, path: ['prompts', i, 'id'] });
      seen.add(p.id);
    });
  });
export type PromptSet = z.infer<typeof PromptSet>;

export interface PromptSetIssue {
  /** Dotted field path, e.g. "prompts.3.id"; "" for the root. */
  path: string;
  message: string;
}
export type PromptSetResult = { ok: true; set: PromptSet } | { ok: false; issues: PromptSetIssue[] };

/** Validates untrusted input (a parsed JSON file, an API payload) into a prompt set, or lists each problem by field. */
export function parsePromptSet(input: unknown): PromptSetResult {
  const parsed = PromptSet.safeParse(input);
  if (parsed.success) return { ok: true, set: parsed.data };
  return { ok: false, issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) };
}

/** One line per problem, prefixed with where the set came from (a file name), for CLI and UI errors. */
export function formatPromptSetIssues(source: string, issues: readonly PromptSetIssue[]): string {
  return issues.map((i) => `${source}: ${i.path || '(root)'}: ${i.message}`).join('\n');
}
