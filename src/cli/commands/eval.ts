// `loupe eval RUN[@STEP] --task hellaswag|arc|piqa|mc --file PATH [--json]`: zero-shot multiple choice on a run's
// checkpoint from a local task file, scored as lm-evaluation-harness scores it; stored as eval/<task>/* metrics.
import type { Command } from 'commander';
import { Option } from 'commander';
import { ZERO_SHOT_TASKS, type ZeroShotTask } from '../../shared/zero-shot/tasks.ts';
import { CliError } from '../errors.ts';
import type { WithServices } from './sweep.ts';

function parseRef(ref: string): { runId: string; step?: number } {
  const at = /^(.+)@(\d+)$/.exec(ref);
  if (at) return { runId: at[1]!, step: Number(at[2]) };
  if (ref.includes('@')) throw new CliError(`"${ref}": expected RUN or RUN@STEP`, 2);
  return { runId: ref };
}

export function registerEvalCommand(program: Command, withServices: WithServices): void {
  program
    .command('eval')
    .description('Zero-shot multiple choice on a checkpoint (acc, acc_norm), stored as eval/<task>/* metrics at its step')
    .argument('<run[@step]>', 'run id (its newest checkpoint) or RUN@STEP')
    .addOption(new Option('--task <task>', 'task file format').choices([...ZERO_SHOT_TASKS]).makeOptionMandatory())
    .requiredOption('--file <path>', 'the task\'s JSONL file (formats: src/cli/README.md)')
    .option('--json', 'print {task, n, acc, acc_norm}')
    .action(async (ref: string, o: { task: ZeroShotTask; file: string; json?: boolean }) => {
      const target = parseRef(ref);
      await withServices(async (s) => {
        const tty = !o.json && process.stderr.isTTY;
        const r = await s.evals.zeroShot({
          ...target,
          task: o.task,
          file: o.file,
          progress: tty ? (done, total) => process.stderr.write(`\rscoring ${done}/${total}`) : undefined,
        });
        if (tty) process.stderr.write('\n');
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ task: r.task, n: r.n, acc: r.acc, acc_norm: r.acc_norm })}\n`);
          return;
        }
        const lines = [
          `${r.task} on run ${r.run_id} at step ${r.step}: n ${r.n}  acc ${r.acc.toFixed(4)}  acc_norm ${r.acc_norm.toFixed(4)}`,
          `stored as eval/${r.task}/acc, eval/${r.task}/acc_norm (compare with: loupe compare … --metric eval/${r.task}/acc)`,
          ...(r.skipped > 0 ? [`skipped ${r.skipped}: ${r.skipped_reasons.slice(0, 3).join('; ')}${r.skipped > 3 ? '; …' : ''}`] : []),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      });
    });
}
