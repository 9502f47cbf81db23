// `loupe watch PATH`: follows a run file written by a PyTorch job (or a folder of them) into the run store, with
// live alerts. A file returns after its `end` line; a folder is watched until Ctrl-C, picking up new files.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { RunSummary } from '../../shared/runs.ts';
import { formatAlertLine } from '../../main/monitor/index.ts';
import { defaultStaleAfterS } from '../../main/services/external.ts';
import type { WithServices } from './sweep.ts';
import { asUsageError } from '../errors.ts';

function positiveSeconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('--stale-after must be a positive number of seconds');
  return n;
}

export function watchJson(run: RunSummary): Record<string, unknown> {
  return {
    run_id: run.id,
    name: run.name,
    path: run.external?.path ?? null,
    status: run.status,
    steps: run.steps,
    train_loss: run.lastTrainLoss,
    val_loss: run.lastValLoss,
    best_val_loss: run.bestValLoss,
    alerts: run.alertCount,
    warnings: run.warningCount,
    stale: run.external?.staleSince != null,
  };
}

const f4 = (v: number | null): string => (v === null ? '–' : v.toFixed(4));

export function registerWatchCommand(program: Command, withServices: WithServices): void {
  program
    .command('watch')
    .description('Follow a run file from a PyTorch job (see `loupe logger`) or a folder of them: live metrics and alerts in Loupe')
    .argument('<path>', 'a .jsonl run file (returns after its "end" line) or a folder (watched until Ctrl-C)')
    .option('--json', 'print the run id(s) as JSON (a file: one summary at the end; a folder: one line per run as it appears)')
    .option('--stale-after <s>', `mark a run stale after this many seconds without new lines (default ${defaultStaleAfterS})`, positiveSeconds)
    .option('--name <name>', 'run name for a single file (default: the name in its "run" line, else the file name)')
    .action(async (target: string, o: { json?: boolean; staleAfter?: number; name?: string }) => {
      const code = await withServices(async (s) => {
        const mine = new Set<string>();
        const err = (line: string): void => void process.stderr.write(`${line}\n`);
        const offs = [
          s.events.on('run.alert', ({ runId, alert }) => {
            if (mine.has(runId)) err(`[${runId}] ${formatAlertLine(alert)}`);
          }),
          s.events.on('run.log', ({ runId, level, message }) => {
            if (mine.has(runId) && level !== 'info') err(`[${runId}] ${level}: ${message}`);
          }),
        ];
        let kind: 'file' | 'dir' = 'file';
        const w = asUsageError(() => s.external.watch({
          path: target,
          staleAfterS: o.staleAfter,
          name: o.name,
          onRun: (run, file) => {
            mine.add(run.id);
            if (o.json && kind === 'dir') process.stdout.write(`${JSON.stringify({ run_id: run.id, name: run.name, path: file })}\n`);
            else if (!o.json) process.stdout.write(`watching ${file} as run ${run.id} (${run.name})\n`);
          },
        }));
        kind = w.kind;
        // onRun already ran for what the first read found, before `kind` was known: replay it for a folder.
        if (o.json && kind === 'dir') for (const id of w.runIds()) {
          const { run } = s.runs.get(id);
          process.stdout.write(`${JSON.stringify({ run_id: run.id, name: run.name, path: run.external?.path ?? null })}\n`);
        }
        if (!o.json && kind === 'dir') err(`watching ${w.path} for run files (*.jsonl); Ctrl-C to stop`);
        let interrupted = false;
        const onSigint = (): void => {
          interrupted = true;
          void w.stop();
        };
        process.on('SIGINT', onSigint);
        process.on('SIGTERM', onSigint);
        let runs: RunSummary[];
        try {
          runs = await w.done;
        } finally {
          process.off('SIGINT', onSigint);
          process.off('SIGTERM', onSigint);
          for (const off of offs) off();
        }
        if (kind === 'file') {
          const run = runs[0];
          if (!run) {
            err(`loupe: ${w.path} held no run lines`);
            return 1;
          }
          if (o.json) process.stdout.write(`${JSON.stringify(watchJson(run))}\n`);
          else process.stdout.write(`run ${run.id} ${run.status} at step ${run.steps}: loss ${f4(run.lastTrainLoss)}, val ${f4(run.lastValLoss)}; ${run.alertCount} alert(s)\n`);
          return interrupted && run.status === 'stopped' ? 130 : 0;
        }
        if (!o.json) for (const run of runs) process.stdout.write(`run ${run.id} (${run.name}) ${run.status} at step ${run.steps}\n`);
        return 0;
      });
      process.exit(code);
    });
}
