// `loupe logger`: the one-file Python logger that PyTorch jobs use to write run files Loupe can watch.
import type { Command } from 'commander';
import { CliError, usageExitCode } from '../errors.ts';
import { pythonLoggerSource, writePythonLogger } from '../../main/services/external.ts';

export function registerLoggerCommand(program: Command): void {
  program
    .command('logger')
    .description('The dependency-free Python logger for PyTorch jobs (rank 0 only); its header shows how to use it')
    .option('--print', 'print loupe_logger.py on stdout')
    .option('--write <dir>', 'copy loupe_logger.py into a folder (next to your training script)')
    .action((o: { print?: boolean; write?: string }) => {
      if (!o.print && !o.write) throw new CliError('logger needs --print or --write DIR', usageExitCode);
      if (o.print) process.stdout.write(pythonLoggerSource());
      if (o.write) {
        const file = writePythonLogger(o.write);
        process.stderr.write(`wrote ${file}; then \`from loupe_logger import LoupeLogger\` and \`loupe watch\` the run file it writes\n`);
      }
    });
}
