// `loupe sample RUN|CHECKPOINT --prompt TEXT`: samples a run's newest checkpoint (RUN@STEP for another, or a
// checkpoint folder), streaming the text, then prints its diagnostics (DESIGN §5); --json prints the stored sample.
import { isMemorized, memorizedThreshold } from '../../shared/generation/memorization.ts';
import { existsSync, statSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { createServices } from '../../main/services.ts';
import { resolveDataDir } from '../../main/paths.ts';
import type { SampleTarget } from '../../main/services/samples.ts';
import type { Sample } from '../../shared/api/samples.ts';
import { escapeUnprintable } from '../../shared/printable.ts';

/** Prompt and generated text keep their lines; any other control character (a byte-level model can emit ESC) is shown escaped. */
const text = (s: string): string => escapeUnprintable(s, { keepLines: true });

interface SampleOptions {
  prompt: string;
  maxTokens?: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
  json?: boolean;
}

function numberArg(flag: string, check: (n: number) => boolean, want: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || !check(n)) throw new InvalidArgumentError(`${flag} must be ${want}`);
    return n;
  };
}

/** A checkpoint folder on disk, RUN@STEP, or a run id (its newest checkpoint). */
export function parseTarget(arg: string): SampleTarget {
  if (existsSync(arg) && statSync(arg).isDirectory()) return { path: arg };
  const at = /^(.+)@(\d+)$/.exec(arg);
  if (at) return { runId: at[1]!, step: Number(at[2]) };
  return { runId: arg, step: null };
}

const f2 = (v: number): string => v.toFixed(2);
const quote = (s: string, max = 60): string => JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);

/** The readable diagnostics block printed under the text. */
function formatDiagnostics(s: Sample): string {
  const d = s.diagnostics;
  const where = s.runId ? `run ${s.runName} (${s.runId}) at step ${s.step}` : `checkpoint ${s.runName} at step ${s.step}`;
  const speed = s.tokensPerS === null ? '' : ` · ${s.tokensPerS.toFixed(1)} tokens/s`;
  const lines = [
    `${where} · ${d.tokens} tokens · finish: ${s.finish}${speed}`,
    `seq-rep-1..4   ${[1, 2, 3, 4].map((n) => f2(d.seqRep[n as 1 | 2 | 3 | 4])).join('  ')}`,
    `distinct-1/2   ${f2(d.distinct[1])}  ${f2(d.distinct[2])}`,
    `mean entropy   ${d.meanEntropy === null ? '–' : `${d.meanEntropy.toFixed(3)} nats`}`,
  ];
  if (d.loop) {
    const cycle = s.pieces.slice(d.loop.end - d.loop.period, d.loop.end).join('');
    lines.push(`loop           period ${d.loop.period} × ${d.loop.repeats} over tokens ${d.loop.start}–${d.loop.end}: ${quote(cycle)}`);
  } else lines.push('loop           none');
  if (d.memorization && s.memorizedSource && isMemorized(d.memorization)) {
    lines.push(
      `memorised      ${d.memorization.length} tokens verbatim at training offset ${d.memorization.sourceOffset} (${d.memorization.occurrences}× in training): ${quote(s.memorizedSource.match)}`,
    );
  } else if (d.memorization && d.memorization.length > 0) {
    lines.push(`memorised      nothing beyond chance (longest training match ${d.memorization.length} tokens, ${d.memorization.occurrences}× in training; ${memorizedThreshold(d.memorization.occurrences)}+ would count)`);
  } else if (d.memorization === null) lines.push('memorised      not checked');
  else lines.push('memorised      nothing');
  if (d.keyword) {
    const found = d.keyword.matched.length > 0 ? ` matched: ${d.keyword.matched.join(', ')}` : '';
    const missing = d.keyword.missing.length > 0 ? ` missing: ${d.keyword.missing.join(', ')}` : '';
    lines.push(`keywords       ${f2(d.keyword.score)}${found}${missing}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerSampleCommand(program: Command): void {
  program
    .command('sample')
    .description('Sample a checkpoint and print the text with its diagnostics (loops, repetition, entropy, memorisation)')
    .argument('<run|checkpoint>', 'run id (its newest checkpoint), RUN@STEP, or a checkpoint folder')
    .requiredOption('--prompt <text>', 'the prompt to continue')
    .option('--max-tokens <n>', 'new tokens to generate (default 128)', numberArg('--max-tokens', (n) => Number.isInteger(n) && n >= 1 && n <= 4096, 'an integer from 1 to 4096'))
    .option('--temperature <t>', '0 = greedy (default 0.8)', numberArg('--temperature', (n) => n >= 0 && n <= 10, 'a number from 0 to 10'))
    .option('--top-k <k>', 'keep the k most likely tokens; 0 = off (default)', numberArg('--top-k', (n) => Number.isInteger(n) && n >= 0, 'an integer ≥ 0'))
    .option('--top-p <p>', 'nucleus sampling mass; 1 = off (default)', numberArg('--top-p', (n) => n > 0 && n <= 1, 'a number in (0, 1]'))
    .option('--seed <s>', 'sampling seed (default 1337)', numberArg('--seed', (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 31, 'an integer from 0 to 2147483647'))
    .option('--json', 'print the stored sample as one JSON object (text, settings, diagnostics)')
    .action(async (arg: string, o: SampleOptions) => {
      const services = await createServices({ dataDir: resolveDataDir() });
      let cancelled = false;
      const onInt = (): void => {
        if (cancelled) process.exit(130);
        cancelled = true;
      };
      let sample: Sample;
      try {
        const h = services.samples.generate({
          target: parseTarget(arg),
          prompt: o.prompt,
          settings: { maxTokens: o.maxTokens, temperature: o.temperature, topK: o.topK, topP: o.topP, seed: o.seed },
        });
        // Ctrl-C once stops generating and still prints (and stores) what came out; twice quits.
        process.on('SIGINT', () => {
          onInt();
          services.samples.cancel(h.sampleId);
        });
        if (!o.json) {
          process.stdout.write(text(o.prompt));
          services.events.on('sample.token', (t) => {
            if (t.sampleId === h.sampleId) process.stdout.write(text(t.piece));
          });
        }
        sample = await h.done;
      } finally {
        await services.close();
      }
      for (const w of sample.warnings) process.stderr.write(`loupe: warning: ${escapeUnprintable(w)}\n`);
      if (o.json) process.stdout.write(`${JSON.stringify(sample)}\n`);
      else process.stdout.write(`\n\n${text(formatDiagnostics(sample))}`);
    });
}
