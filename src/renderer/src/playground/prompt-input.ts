// What the prompt box and the prompt-set editor accept as typed: expected keywords ("2|two, apples") and
// a new prompt set built from prompts typed one per line, validated with the shared prompt-set schema.
import type { ExpectedKeyword } from '../../../shared/generation/metrics.ts';
import { parsePromptSet, type PromptSetResult } from '../../../shared/generation/prompts.ts';

/** Comma-separated keywords; "a|b" is one keyword with alternatives (either counts). Mutable, as the API's params are. */
export function parseKeywords(text: string): (string | string[])[] {
  return text
    .split(',')
    .map((group) => group.split('|').map((k) => k.trim()).filter((k) => k.length > 0))
    .filter((alts) => alts.length > 0)
    .map((alts) => (alts.length === 1 ? alts[0]! : alts));
}

export function formatKeywords(keywords: readonly ExpectedKeyword[]): string {
  return keywords.map((k) => (typeof k === 'string' ? k : k.join('|'))).join(', ');
}

/** A set id from its name: lowercase letters, digits, "-"; never empty. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return slug || 'prompt-set';
}

/**
 * A prompt set from lines "prompt" or "prompt => keyword, a|b" (keywords after the arrow).
 * Returns the schema's verdict, so problems are named by field like any other prompt set.
 */
export function promptSetFromLines(name: string, lines: string): PromptSetResult {
  const prompts = lines
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((line, i) => {
      const arrow = line.lastIndexOf('=>');
      const prompt = arrow >= 0 ? line.slice(0, arrow).trim() : line;
      const expectedKeywords = arrow >= 0 ? parseKeywords(line.slice(arrow + 2)) : [];
      return { id: `p${i + 1}`, prompt, expectedKeywords };
    });
  return parsePromptSet({ version: 1, id: slugify(name), name: name.trim(), prompts });
}
