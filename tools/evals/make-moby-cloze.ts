// Generates resources/evals/moby-dick-cloze.mc.jsonl, a small multiple-choice set for checking the mechanics of
// `loupe eval --task mc`: NOT a benchmark. Each item is a sentence start from the held-out end of Moby-Dick (the
// last 10%, Loupe's default validation split); the right choice is the sentence's real next five words, the three
// others are five-word spans from other held-out sentences. A model that learned the book's style should beat
// chance (25%); nothing here measures knowledge or reasoning. Deterministic: npx tsx tools/evals/make-moby-cloze.ts
import fs from 'node:fs';
import path from 'node:path';
import { loadCorpus } from '../../src/main/engine/data/corpus.ts';
import { Rng } from '../../src/main/engine/rng.ts';

const ITEMS = 200;
const CHOICES = 4;
const CONT_WORDS = 5;

const { text } = loadCorpus('moby-dick');
const heldOut = text.slice(Math.floor(text.length * 0.9));
const sentences = heldOut
  .replace(/\s+/g, ' ')
  .split(/(?<=[.!?])\s+/)
  .map((s) => s.trim().split(' '))
  .filter((w) => w.length >= 12 && w.length <= 40 && w.every((x) => /^[\x20-\x7e]+$/.test(x)));
const rng = new Rng(2026, 0);
const pick = (n: number): number => rng.int(n);
const spanOf = (words: string[], at: number): string => words.slice(at, at + CONT_WORDS).join(' ');

const out: string[] = [];
const used = new Set<number>();
while (out.length < ITEMS && used.size < sentences.length) {
  const i = pick(sentences.length);
  if (used.has(i)) continue;
  used.add(i);
  const words = sentences[i]!;
  const cut = 4 + pick(words.length - CONT_WORDS - 4);
  const right = spanOf(words, cut);
  const wrong = new Set<string>();
  while (wrong.size < CHOICES - 1) {
    const other = sentences[pick(sentences.length)]!;
    const span = spanOf(other, pick(other.length - CONT_WORDS));
    if (span !== right) wrong.add(span);
  }
  const choices = [...wrong];
  const label = pick(CHOICES);
  choices.splice(label, 0, right);
  out.push(JSON.stringify({ context: words.slice(0, cut).join(' '), choices, label }));
}
const file = path.join(import.meta.dirname, '../../resources/evals/moby-dick-cloze.mc.jsonl');
fs.writeFileSync(file, `${out.join('\n')}\n`);
console.log(`wrote ${out.length} items to ${file}`);
