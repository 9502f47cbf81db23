// The `loupe` command: train the baseline or any config, list and inspect runs, export them, resume them,
// read alerts, and serve the app in a browser. Same services as the app; data in LOUPE_HOME or the app folder.
import fs from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { stringify as toYaml } from 'yaml';
import { createServices, type Services } from '../main/services.ts';
import { backupDatabase } from '../main/services/backup.ts';
import { resolveDataDir } from '../main/paths.ts';
import { appVersion } from '../main/repo-root.ts';
import { readBaselineConfig, readConfigFile, resolveWithOverrides } from '../main/services/config-input.ts';
import { BackendName } from '../shared/config.ts';
import { hypothesisName } from '../main/services/run-naming.ts';
import { formatAlertLine } from '../main/monitor/index.ts';
import type { Alert } from '../shared/alerts.ts';
import type { RunConfig } from '../shared/config.ts';
import { configWarnings } from '../shared/config-warnings.ts';
import { escapeUnprintable } from '../shared/printable.ts';
import { followRun } from './session.ts';
import { CliError, reportAndExit, usageExitCode, asUsageError } from './errors.ts';
import { formatRunsTable, showJson, formatShow } from './views.ts';
import { registerSampleCommand } from './commands/sample.ts';
import { registerSweepCommand } from './commands/sweep.ts';
import { registerCompareCommand } from './commands/compare.ts';
import { registerStudyCommand } from './commands/study.ts';
import { registerEvalCommand } from './commands/eval.ts';
import { registerDeleteCommands } from './commands/delete.ts';
import { registerWatchCommand } from './commands/watch.ts';
import { registerLoggerCommand } from './commands/logger.ts';
import { registerImportCommand } from './commands/import.ts';

function scaleArg(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('--scale must be a positive number (0.05 turns 2000 steps into 100)');
  return n;
}

const RUN_LENGTH_HELP = 'warmup, eval and checkpoint cadence are rescaled with it';

/** Advice on the config about to train (short warmup-bound runs, too few evals, an LR far off): warnings, not errors. */
function warnAbout(config: RunConfig): void {
  for (const w of configWarnings(config)) process.stderr.write(`loupe: warning: ${w.path}: ${w.message}\n`);
}

function intArg(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`);
    return n;
  };
}

/** LOUPE_DEBUG_COMMITS=1: after each committed metric batch, one line on stderr (crash-safety tests read it). */
function commitLogger(): Parameters<typeof createServices>[0]['onCommit'] {
  if (!process.env['LOUPE_DEBUG_COMMITS']) return undefined;
  return ({ runId, attempt, seq, points }) => {
    const line = JSON.stringify({ runId, attempt, seq, points: points.map((p) => [p.step, p.key]) });
    fs.writeSync(2, `LOUPE_COMMIT ${line}\n`);
  };
}

async function withServices<T>(fn: (s: Services) => Promise<T> | T): Promise<T> {
  const s = await createServices({ dataDir: resolveDataDir(), onCommit: commitLogger() });
  for (const id of s.recovered) {
    const run = s.runs.summary(id);
    process.stderr.write(`loupe: note: run ${id} was left ${run.status === 'crashed' ? 'running' : 'queued'} by a process that exited; marked ${run.status}\n`);
  }
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/** --backend: overrides the config's `backend` (auto, tensorflow, webgpu, wasm, cpu). */
function backendOption(): Option {
  return new Option('--backend <name>', 'TensorFlow.js backend, overriding the config').choices(BackendName.options);
}

function withBackend(config: unknown, backend: BackendName): unknown {
  return isRecord(config) ? { ...config, backend } : config;
}

function finish(code: number): never {
  process.exit(code);
}

const program = new Command('loupe')
  .description('Train small GPTs from scratch on your own machine, and keep every run.')
  .version(appVersion)
  .showHelpAfterError()
  // Every command inherits this: a wrong command line (missing argument, unknown option, bad value) exits 2.
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : usageExitCode))
  .addHelpText('after', '\nData lives in $LOUPE_HOME if set, else the Loupe app-data folder (shared with the desktop app).');

program
  .command('baseline')
  .description('Train the default baseline (nanoGPT CPU recipe on byte-level Moby-Dick)')
  .option('--steps <n>', `run length in optimizer steps (default: the recipe\u2019s 2000); ${RUN_LENGTH_HELP}`, intArg('--steps', 1))
  .option('--scale <f>', `run length as a factor of the recipe\u2019s steps (0.05 → 100); ${RUN_LENGTH_HELP}`, scaleArg)
  .option('--seed <s>', 'random seed', intArg('--seed', 0))
  .addOption(backendOption())
  .option('--json', 'print one JSON summary on stdout at the end')
  .action(async (o: { steps?: number; scale?: number; seed?: number; backend?: BackendName; json?: boolean }) => {
    if (o.steps !== undefined && o.scale !== undefined) throw new CliError('give --steps or --scale, not both', usageExitCode);
    const code = await withServices(async (s) => {
      const run = o.backend
        ? s.runs.start({ config: withBackend(readBaselineConfig(), o.backend), steps: o.steps, scale: o.scale, seed: o.seed })
        : s.runs.startBaseline({ steps: o.steps, scale: o.scale, seed: o.seed });
      warnAbout(s.runs.get(run.id).config);
      return followRun(s, run, { json: Boolean(o.json), intro: `training ${run.name} as run ${run.id} (${run.plannedSteps} steps)` });
    });
    finish(code);
  });

program
  .command('train')
  .description('Train any config (YAML or JSON, the shape `loupe show RUN --json` prints under "config")')
  .argument('<config>', 'a .yaml, .yml or .json file')
  .option('--name <name>', 'run name; default: the config\'s own name, else what it changes against the baseline ("lr3e-4-warmup200")')
  .option('--baseline <run>', 'the run this one is an ablation of: linked to it, and named against its config')
  .option('--steps <n>', `run length in optimizer steps; ${RUN_LENGTH_HELP}`, intArg('--steps', 1))
  .option('--scale <f>', `run length as a factor of the config\u2019s steps; ${RUN_LENGTH_HELP}`, scaleArg)
  .option('--seed <s>', 'random seed', intArg('--seed', 0))
  .addOption(backendOption())
  .option('--init-from <source>', 'start from these weights with a fresh optimizer: RUN, RUN@STEP or a checkpoint folder (sets init_from)')
  .option('--json', 'print one JSON summary on stdout at the end')
  .action(async (file: string, o: { name?: string; baseline?: string; steps?: number; scale?: number; seed?: number; initFrom?: string; backend?: BackendName; json?: boolean }) => {
    if (o.steps !== undefined && o.scale !== undefined) throw new CliError('give --steps or --scale, not both', usageExitCode);
    // Read and validate before opening anything: a bad config starts nothing and creates nothing.
    const { input, resolved } = asUsageError(() => {
      const raw = readConfigFile(file);
      const read = isRecord(raw) && 'config' in raw && isRecord(raw.config) && 'run' in raw ? raw.config : raw;
      const given = o.backend ? withBackend(read, o.backend) : read;
      const data = o.initFrom === undefined ? given : { ...(isRecord(given) ? given : {}), init_from: o.initFrom };
      const resolved = resolveWithOverrides(data, { name: o.name, steps: o.steps, scale: o.scale, seed: o.seed });
      warnAbout(resolved);
      return { input: data, resolved };
    });
    const code = await withServices(async (s) => {
      const baselineId = o.baseline === undefined ? undefined : s.runs.resolveId(o.baseline);
      const name = o.name ?? hypothesisName(input, resolved, baselineId === undefined ? undefined : s.runs.get(baselineId).config);
      const run = s.runs.start({ config: input, name, steps: o.steps, scale: o.scale, seed: o.seed, baselineId });
      return followRun(s, run, { json: Boolean(o.json), intro: `training ${run.name} as run ${run.id} (${run.plannedSteps} steps)` });
    });
    finish(code);
  });

program
  .command('resume')
  .description('Continue a stopped, paused, crashed or failed run from its newest good checkpoint (or --from STEP)')
  .argument('<run>', 'run id (or a unique part of it)')
  .option('--from <step>', 'resume from the checkpoint at this step', intArg('--from', 0))
  .option('--json', 'print one JSON summary on stdout at the end')
  .action(async (id: string, o: { from?: number; json?: boolean }) => {
    const code = await withServices(async (s) => {
      const { run, from, skipped } = s.runs.resume(id, { fromStep: o.from });
      for (const line of skipped) process.stderr.write(`loupe: warning: ${line}; skipped\n`);
      const where = from ? `checkpoint at step ${from.step}` : 'the start (no checkpoint was written)';
      return followRun(s, run, { json: Boolean(o.json), intro: `resuming ${run.name} (${run.id}) from ${where}` });
    });
    finish(code);
  });

program
  .command('runs')
  .description('List runs, newest first')
  .option('--all', 'include archived runs')
  .option('--json', 'print the runs as JSON')
  .action(async (o: { all?: boolean; json?: boolean }) => {
    await withServices((s) => {
      const runs = s.runs.list({ includeArchived: Boolean(o.all) });
      process.stdout.write(o.json ? `${JSON.stringify(runs)}\n` : formatRunsTable(runs));
    });
  });

program
  .command('show')
  .description('A run: resolved config, final and best metrics, alerts, checkpoints')
  .argument('<run>', 'run id (or a unique part of it)')
  .option('--json', 'print as JSON (the config under "config")')
  .action(async (id: string, o: { json?: boolean }) => {
    await withServices((s) => {
      const view = showJson(s, s.runs.resolveId(id));
      process.stdout.write(o.json ? `${JSON.stringify(view)}\n` : formatShow(view, toYaml));
    });
  });

program
  .command('export')
  .description('Export all metrics as CSV and/or the latest checkpoint as a Hugging Face model folder')
  .argument('<run>', 'run id (or a unique part of it)')
  .option('--csv <file>', 'write every metric, one row per step')
  .option('--hf <dir>', 'write config.json + model.safetensors')
  .option('--torch <dir>', 'write a plain PyTorch training script of the recipe (runs under torchrun; logs for `loupe watch`)')
  .option('--force', 'overwrite an existing CSV file / write into a folder that is not empty')
  .action(async (id: string, o: { csv?: string; hf?: string; torch?: string; force?: boolean }) => {
    if (!o.csv && !o.hf && !o.torch) throw new CliError('export needs --csv FILE, --hf DIR or --torch DIR', usageExitCode);
    await withServices((s) => {
      if (o.csv) {
        const r = s.runs.exportCsv(id, o.csv, { force: o.force });
        process.stdout.write(`wrote ${o.csv}: ${r.rows} steps × ${r.columns.length - 1} metrics\n`);
      }
      if (o.hf) {
        const r = s.runs.exportHf(id, o.hf, { force: o.force });
        process.stdout.write(`wrote ${r.dir} from the checkpoint at step ${r.step}: ${r.files.map((f) => f.split(/[\\/]/).pop()).join(', ')}\n`);
      }
      const torchDir = o.torch;
      if (torchDir) {
        const r = asUsageError(() => s.external.exportTorch(s.runs.resolveId(id), torchDir));
        process.stdout.write(`wrote ${r.dir}: train.py, loupe_logger.py, data/tokens.bin (${r.tokens} tokens, vocab ${r.vocab}); run \`python train.py\` or \`torchrun --nproc_per_node=N train.py\` there and \`loupe watch ${r.dir}/runs\`\n`);
      }
    });
  });

program
  .command('alerts')
  .description('A run\u2019s alerts (spikes, plateaus, explosions, collapse, overfitting, ...)')
  .argument('<run>', 'run id (or a unique part of it)')
  .option('--json', 'print as JSON')
  .option('--recompute', 'run the detectors again over the stored metrics and compare with the stored alerts')
  .action(async (id: string, o: { json?: boolean; recompute?: boolean }) => {
    await withServices((s) => {
      const runId = s.runs.resolveId(id);
      const stored = s.runs.alerts(runId);
      const alerts = o.recompute ? s.runs.recomputeAlerts(runId) : stored;
      const sig = (list: Alert[]): string => JSON.stringify(list.map((a) => [a.kind, a.severity, a.step, a.stepEnd]).sort());
      const matches = o.recompute ? sig(alerts) === sig(stored) : undefined;
      if (o.json) {
        const out = alerts.map((a) => ({ kind: a.kind, severity: a.severity, step: a.step, step_end: a.stepEnd, message: a.message, advice: a.advice, evidence: a.evidence }));
        process.stdout.write(`${JSON.stringify({ run_id: runId, source: o.recompute ? 'recomputed' : 'stored', ...(o.recompute ? { matches_stored: matches } : {}), alerts: out })}\n`);
        return;
      }
      if (alerts.length === 0) process.stdout.write(`no alerts for run ${runId}\n`);
      for (const a of alerts) process.stdout.write(`${escapeUnprintable(formatAlertLine(a))}\n`);
      if (o.recompute) process.stdout.write(matches ? 'recomputed alerts match the stored ones\n' : `recomputed alerts differ from the ${stored.length} stored ones\n`);
    });
  });

program
  .command('backup')
  .description('Write a consistent copy of the whole run database (safe while training, works on a damaged one)')
  .argument('<file>', 'destination .db file (must not exist)')
  .action(async (file: string) => {
    const r = await backupDatabase(resolveDataDir(), file);
    process.stdout.write(`wrote ${r.file}${r.method === 'bytes' ? ' (a byte copy: the database does not read as SQLite)' : ''}\n`);
  });

program
  .command('serve')
  .description('Serve the app in your browser on 127.0.0.1 (for machines without Electron)')
  .addOption(new Option('--port <p>', 'port (0 picks a free one)').argParser(intArg('--port', 0)).default(0))
  .action(async (o: { port: number }) => {
    if (o.port > 65535) throw new CliError('--port must be a number from 0 to 65535', usageExitCode);
    const { serveBrowserMode } = await import('../main/serve.ts');
    let host: Awaited<ReturnType<typeof serveBrowserMode>>;
    try {
      host = await serveBrowserMode({ dataDir: resolveDataDir(), port: o.port });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`port ${o.port} is already in use; pick another with --port`);
      throw e;
    }
    const stop = (): void => void host.close().then(() => process.exit(0), () => process.exit(1));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

registerSampleCommand(program);
registerSweepCommand(program, withServices);
registerCompareCommand(program, withServices);
registerStudyCommand(program, withServices);
registerEvalCommand(program, withServices);
registerDeleteCommands(program, withServices);
registerWatchCommand(program, withServices);
registerLoggerCommand(program);
registerImportCommand(program, withServices);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  reportAndExit(e);
}
