// `loupe archive RUN [--undo]` hides a run; `loupe delete RUN --yes` permanently deletes an archived one (rows and
// checkpoint folder). Two separate steps on purpose: nothing is really deleted without a second, explicit confirmation.
import type { Command } from 'commander';
import { CliError, usageExitCode } from '../errors.ts';
import type { WithServices } from './sweep.ts';
import { escapeUnprintable } from '../../shared/printable.ts';

export function registerDeleteCommands(program: Command, withServices: WithServices): void {
  program
    .command('archive')
    .description('Hide a run from the runs list (nothing is deleted); --undo shows it again')
    .argument('<run>', 'run id (or a unique part of it)')
    .option('--undo', 'unarchive')
    .action(async (ref: string, o: { undo?: boolean }) => {
      await withServices((s) => {
        const run = s.runs.archive(ref, !o.undo);
        process.stdout.write(`${o.undo ? 'unarchived' : 'archived'} run ${run.id} (${escapeUnprintable(run.name)})\n`);
      });
    });

  program
    .command('delete')
    .description('Permanently delete an archived run: its metrics, alerts, samples and checkpoint files (needs --yes)')
    .argument('<run>', 'run id (or a unique part of it)')
    .option('--yes', 'confirm: this cannot be undone')
    .action(async (ref: string, o: { yes?: boolean }) => {
      if (!o.yes) {
        throw new CliError(`refusing to delete run ${ref} without --yes: deletion is permanent (metrics, alerts, samples and checkpoints)`, usageExitCode);
      }
      await withServices((s) => {
        const rid = s.runs.resolveId(ref);
        const run = s.runs.summary(rid);
        if (!run.archived) {
          throw new CliError(`run ${rid} (${run.name}) is not archived; archive it first with \`loupe archive ${rid}\`, then delete it`);
        }
        const { deletedFiles } = s.runs.delete(rid);
        process.stdout.write(`deleted run ${rid} (${escapeUnprintable(run.name)}): metrics, alerts, samples and checkpoints; ${deletedFiles} file${deletedFiles === 1 ? '' : 's'} removed\n`);
      });
    });
}
