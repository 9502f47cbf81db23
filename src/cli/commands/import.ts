// `loupe import tensorboard|mlflow|csv`: logs from other tools into the run store, with the same alerts and charts
// as Loupe's runs. Prints the new run id(s); --json prints them as JSON. Bad input (missing, corrupt) exits 2.
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { RunSummary } from '../../shared/runs.ts';
import type { Progress } from '../../main/external/importers/errors.ts';
import type { WithServices } from './sweep.ts';
import { asUsageError } from '../errors.ts';

/** A bar on a terminal once the input is big enough to take a moment (over 4 MB); nothing otherwise. */
function progressBar(label: string): { onProgress: Progress; stop: () => void } {
  let bar: cliProgress.SingleBar | null = null;
  return {
    onProgress(done, total) {
      if (!process.stderr.isTTY || total < 4 << 20) return;
      if (!bar) {
        bar = new cliProgress.SingleBar({ stream: process.stderr, format: ` ${label} {bar} {percentage}% | {value}/{total} MB`, hideCursor: true }, cliProgress.Presets.shades_classic);
        bar.start(Math.ceil(total / 1e6), 0);
      }
      bar.update(Math.round(done / 1e6));
    },
    stop: () => bar?.stop(),
  };
}

function report(runs: RunSummary[], json: boolean): void {
  if (json) {
    const out = runs.map((r) => ({ run_id: r.id, name: r.name, path: r.external?.path ?? null, status: r.status, steps: r.steps, alerts: r.alertCount, warnings: r.warningCount }));
    process.stdout.write(`${JSON.stringify({ runs: out })}\n`);
    return;
  }
  for (const r of runs) {
    const alerts = r.alertCount ? `; ${r.alertCount} alert(s), see \`loupe alerts ${r.id}\`` : '';
    process.stdout.write(`imported ${r.external?.path ?? r.name} as run ${r.id} (${r.name}): ${r.steps} steps${alerts}\n`);
  }
}

export function registerImportCommand(program: Command, withServices: WithServices): void {
  const cmd = program.command('import').description('Import logs from TensorBoard, MLflow or a CSV file as runs');
  type S = Parameters<Parameters<WithServices>[0]>[0];
  /** One import with its progress bar and the importer's notes on stderr; a bad path or file is a usage error. */
  const importing = (json: boolean | undefined, run: (s: S, onProgress: Progress) => RunSummary[]) =>
    withServices((s) => {
      const off = s.events.on('run.log', ({ runId, level, message }) => {
        if (level !== 'info') process.stderr.write(`loupe: note: [${runId}] ${message}\n`);
      });
      const bar = progressBar('reading');
      try {
        report(asUsageError(() => run(s, bar.onProgress)), Boolean(json));
      } finally {
        bar.stop();
        off();
      }
    });

  cmd
    .command('tensorboard')
    .description('Event files (events.out.tfevents.*): one run per folder of them, several files in a folder merged')
    .argument('<path>', 'an event file or a log folder')
    .option('--name <name>', 'run name (default: the folder name)')
    .option('--json', 'print the new runs as JSON')
    .action(async (p: string, o: { name?: string; json?: boolean }) => {
      await importing(o.json, (s, onProgress) => s.external.importTensorboard({ path: p, name: o.name, onProgress }));
    });

  cmd
    .command('mlflow')
    .description('An MLflow file store (mlruns/), one experiment folder or one run folder: one Loupe run per MLflow run')
    .argument('<dir>', 'the folder')
    .option('--name <name>', 'run name (default: the MLflow run name)')
    .option('--json', 'print the new runs as JSON')
    .action(async (p: string, o: { name?: string; json?: boolean }) => {
      await importing(o.json, (s, onProgress) => s.external.importMlflow({ path: p, name: o.name, onProgress }));
    });

  cmd
    .command('csv')
    .description('A CSV file with a header row: one step column, every other numeric column a metric')
    .argument('<file>', 'the .csv file')
    .option('--step-col <name>', 'the step column', 'step')
    .option('--name <name>', 'run name (default: the file name)')
    .option('--json', 'print the new run as JSON')
    .action(async (p: string, o: { stepCol: string; name?: string; json?: boolean }) => {
      await importing(o.json, (s, onProgress) => [s.external.importCsv({ path: p, stepCol: o.stepCol, name: o.name, onProgress })]);
    });
}
