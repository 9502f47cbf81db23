// Zero-shot multiple-choice tasks read from local JSONL files, turned into (context, choices, label) the way
// EleutherAI's lm-evaluation-harness builds its prompts, so accuracies compare with published small-model numbers.
// The file formats are the Hugging Face dataset rows (one JSON object per line); see src/cli/README.md.

export const ZERO_SHOT_TASKS = ['hellaswag', 'arc', 'piqa', 'mc'] as const;
export type ZeroShotTask = (typeof ZERO_SHOT_TASKS)[number];

export interface McItem {
  context: string;
  /** Continuations as scored: the harness's target delimiter (one space) is already in front. */
  choices: string[];
  label: number;
}

export interface ParsedTask {
  items: McItem[];
  /** Lines that were not items of the task, with why (1-based line numbers). */
  skipped: { line: number; reason: string }[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** lm-eval's hellaswag preprocess: " [title]" becomes ". ", other [bracketed] tags go, double spaces close up. */
export function hellaswagPreprocess(text: string): string {
  return text.trim().replace(/ \[title\]/g, '. ').replace(/\[.*?\]/g, '').replace(/ {2}/g, ' ');
}

const capitalize = (s: string): string => (s.length ? s[0]!.toUpperCase() + s.slice(1) : s);

function labelIndex(v: unknown, n: number): number | null {
  const i = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isInteger(i) && i >= 0 && i < n ? i : null;
}

/** One row → item, or the reason it is not one. */
function readRow(task: ZeroShotTask, row: Record<string, unknown>): McItem | string {
  switch (task) {
    case 'hellaswag': {
      // Hugging Face "Rowan/hellaswag" (and the original hellaswag_val.jsonl): activity_label, ctx_a, ctx_b, endings, label.
      const { activity_label: act, ctx_a: a, ctx_b: b, endings, label } = row;
      if (typeof act !== 'string' || typeof a !== 'string' || typeof b !== 'string' || !strings(endings)) return 'needs activity_label, ctx_a, ctx_b and endings';
      const l = labelIndex(label, endings.length);
      if (l === null) return `label ${JSON.stringify(label)} is not an index into endings`;
      return { context: hellaswagPreprocess(`${act}: ${a} ${capitalize(b)}`), choices: endings.map((e) => ` ${hellaswagPreprocess(e)}`), label: l };
    }
    case 'arc': {
      // "allenai/ai2_arc" (ARC-Easy / ARC-Challenge): question, choices {text, label}, answerKey.
      const { question, choices, answerKey } = row;
      if (typeof question !== 'string' || !isRecord(choices) || !strings(choices['text']) || !strings(choices['label'])) return 'needs question and choices {text, label}';
      const l = choices['label'].indexOf(String(answerKey));
      if (l < 0) return `answerKey ${JSON.stringify(answerKey)} is not among the choice labels`;
      return { context: `Question: ${question}\nAnswer:`, choices: choices['text'].map((t) => ` ${t}`), label: l };
    }
    case 'piqa': {
      // "ybisk/piqa" (train/valid jsonl with labels merged in): goal, sol1, sol2, label.
      const { goal, sol1, sol2, label } = row;
      if (typeof goal !== 'string' || typeof sol1 !== 'string' || typeof sol2 !== 'string') return 'needs goal, sol1 and sol2';
      const l = labelIndex(label, 2);
      if (l === null) return `label ${JSON.stringify(label)} is not 0 or 1`;
      return { context: `Question: ${goal}\nAnswer:`, choices: [` ${sol1}`, ` ${sol2}`], label: l };
    }
    case 'mc': {
      // Loupe's generic form: context, choices, label (index); choices are scored after one space.
      const { context, choices, label } = row;
      if (typeof context !== 'string' || !strings(choices) || choices.length < 2) return 'needs context and at least 2 choices';
      const l = labelIndex(label, choices.length);
      if (l === null) return `label ${JSON.stringify(label)} is not an index into choices`;
      return { context, choices: choices.map((c) => ` ${c}`), label: l };
    }
  }
}

/** Parses a task file (JSONL; blank lines ignored). Rows that are not items are skipped with a reason. */
export function parseTaskFile(task: ZeroShotTask, text: string): ParsedTask {
  const items: McItem[] = [];
  const skipped: ParsedTask['skipped'] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      skipped.push({ line: i + 1, reason: 'not JSON' });
      return;
    }
    if (!isRecord(row)) {
      skipped.push({ line: i + 1, reason: 'not a JSON object' });
      return;
    }
    const item = readRow(task, row);
    if (typeof item === 'string') skipped.push({ line: i + 1, reason: item });
    else items.push(item);
  });
  return { items, skipped };
}

/** UTF-8 length: acc_norm divides a continuation's log-likelihood by it. */
export function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}

export interface ChoiceScores {
  /** Summed log-likelihood of each continuation given the context. */
  logliks: number[];
  label: number;
  /** UTF-8 bytes of each continuation (acc_norm's normaliser). */
  bytes: number[];
}

/** First index of the largest value (numpy's argmax, as the harness uses). */
function argmax(v: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

/** acc: the most likely continuation is the label; acc_norm: the same after dividing by bytes. */
export function accuracy(scored: readonly ChoiceScores[]): { n: number; acc: number; acc_norm: number } {
  if (scored.length === 0) return { n: 0, acc: NaN, acc_norm: NaN };
  let acc = 0;
  let accNorm = 0;
  for (const s of scored) {
    if (argmax(s.logliks) === s.label) acc++;
    if (argmax(s.logliks.map((l, i) => l / s.bytes[i]!)) === s.label) accNorm++;
  }
  return { n: scored.length, acc: acc / scored.length, acc_norm: accNorm / scored.length };
}

/** The metric keys a zero-shot eval is stored under (at the checkpoint's step), so compare can use them. */
export const zeroShotKeys = (task: ZeroShotTask): { acc: string; accNorm: string; n: string } => ({
  acc: `eval/${task}/acc`,
  accNorm: `eval/${task}/acc_norm`,
  n: `eval/${task}/n`,
});
