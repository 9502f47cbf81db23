// `loupe sweep CONFIG --vary FIELD=V1,V2 --seeds 3`: queues one run per value × seed as a named group linked to a
// baseline, then trains them one after another in the foreground (Ctrl-C stops the current run and the rest).
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Services } from '../../main/services.ts';
import { isActive, type RunSummary } from '../../shared/runs.ts';
import type { RunConfig } from '../../shared/config.ts';
import type { SweepResult } from '../../shared/api/ablation.ts';
import { readConfigFile, resolveWithOverrides } from '../../main/services/config-input.ts';
import { parseVary } from '../../shared/ablation/sweep.ts';
import { formatCompareTable } from '../../shared/ablation/compare.ts';
import { followRun, resultJson, type RunResultJson } from '../session.ts';
import { CliError, describeError, usageExitCode, asUsageError } from '../errors.ts';
import { escapeUnprintable } from '../../shared/printable.ts';

/** Opens the services on the data folder, runs fn, closes them (main.ts's withServices). */
export type WithServices = <T>(fn: (s: Services) => Promise<T> | T) => Promise<T>;

interface SweepOptions {
  vary?: string;
  scale?: number;
  seeds: number | number[];
  baseline?: string;
  name?: string;
  steps?: number;
  hypothesis?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** "3" is a count (the config's seed, +1, +2); "1,2,5" an explicit list. */
export function parseSeeds(raw: string): number | number[] {
  const parts = raw.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.some((p) => p === '') || nums.some((n) => !Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1)) {
    throw new InvalidArgumentError('--seeds must be a count (e.g. 3) or a list of seeds (e.g. 1,2,3)');
  }
  if (parts.length > 1) return nums;
  if (nums[0] < 1 || nums[0] > 100) throw new InvalidArgumentError('--seeds count must be from 1 to 100 (or give a list, e.g. 1,2,3)');
  return nums[0];
}

function positiveNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
    return n;
  };
}

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be an integer ≥ 1`);
    return n;
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeSweep(r: SweepResult, runs: readonly RunSummary[]): string {
  const what = r.field === null ? `seed replicates of ${runs[0]?.name.replace(/-s\d+$/, '') ?? 'the config'}` : `${r.field} = ${r.values.map(String).join(', ')}`;
  const seeds = `seed${r.seeds.length === 1 ? '' : 's'} ${r.seeds.join(', ')}`;
  const steps = runs.length > 0 ? `, ${runs[0].plannedSteps} steps each` : '';
  return `${what} × ${seeds}${steps}`;
}

const f4 = (v: number | null): string => (v === null ? '–' : v.toFixed(4));

/** Stops whatever of the sweep is still queued or running, and waits for each to end (last checkpoints written). */
async function stopRest(s: Services, runs: readonly RunSummary[]): Promise<void> {
  for (const run of runs) {
    const { status } = s.runs.summary(run.id);
    if (isActive(status)) s.runs.stop(run.id);
  }
  await Promise.all(runs.map((r) => s.runs.waitForEnd(r.id)));
}

/** Human mode: each run with live progress, as `loupe train` shows it. Returns the exit code. */
export async function trainFollowing(s: Services, runs: readonly RunSummary[]): Promise<number> {
  let failed = 0;
  for (const [i, run] of runs.entries()) {
    const code = await followRun(s, s.runs.summary(run.id), {
      json: false,
      intro: `[${i + 1}/${runs.length}] training ${run.name} as run ${run.id} (${run.plannedSteps} steps)`,
    });
    if (code === 130) {
      await stopRest(s, runs.slice(i + 1));
      process.stdout.write(`sweep interrupted: ${runs.length - i - 1} run(s) not trained; resume any with \`loupe resume RUN\`\n`);
      return 130;
    }
    if (code !== 0) failed++;
  }
  return failed > 0 ? 1 : 0;
}

/** JSON mode: stdout keeps one JSON document for the end; one line per finished run goes to stderr. */
export async function trainQuietly(s: Services, runs: readonly RunSummary[]): Promise<{ code: number; results: RunResultJson[] }> {
  const t0 = performance.now();
  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('loupe: stopping the sweep: writing checkpoints (Ctrl-C again to leave at once)\n');
    void stopRest(s, runs);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const results: RunResultJson[] = [];
  try {
    for (const [i, run] of runs.entries()) {
      const start = performance.now();
      const end = await s.runs.waitForEnd(run.id);
      const result = resultJson(s, end, (performance.now() - Math.max(start, t0)) / 1000);
      results.push(result);
      process.stderr.write(`[${i + 1}/${runs.length}] ${escapeUnprintable(end.name)} (${end.id}) ${end.status} at step ${end.steps} | val ${f4(end.lastValLoss)} | best val ${f4(end.bestValLoss)}\n`);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const code = interrupted ? 130 : results.every((r) => r.status === 'finished') ? 0 : 1;
  return { code, results };
}

export function registerSweepCommand(program: Command, withServices: WithServices): void {
  program
    .command('sweep')
    .description('Queue one run per value × seed of one field as a named group linked to a baseline, and train them')
    .argument('[config]', 'a .yaml, .yml or .json file (default: the --baseline run\u2019s config)')
    .option('--vary <field=values>', 'the one field to vary and its values, e.g. train.lr=1e-3,6e-4,3e-4 (omit for seed replicates)')
    .option('--seeds <n|list>', 'a count of seeds from the config\u2019s seed, or a list (e.g. 1,2,3)', parseSeeds, 3)
    .option('--baseline <run>', 'the run the sweep is compared with (id or a unique part of it)')
    .option('--name <group>', 'group name (default: sweep-<field>, made unique)')
    .option('--steps <n>', 'run length of every run in optimizer steps (warmup, eval and checkpoint cadence rescale with it)', positiveInt('--steps'))
    .option('--scale <f>', 'run length of every run as a factor of the config\u2019s steps (0.05 turns 2000 into 100)', positiveNumber('--scale'))
    .option('--hypothesis <text>', 'what you expect, stored with every run')
    .option('--dry-run', 'print the runs the sweep would queue, and queue nothing')
    .option('--json', 'print one JSON summary on stdout at the end')
    .action(async (file: string | undefined, o: SweepOptions) => {
      if (!file && !o.baseline) throw new CliError('sweep needs a CONFIG file or --baseline RUN to take the config from', usageExitCode);
      if (o.steps !== undefined && o.scale !== undefined) throw new CliError('give --steps or --scale, not both', usageExitCode);
      if (o.vary !== undefined) {
        const vary = parseVary(o.vary);
        if (!vary.ok) throw new CliError(vary.error, usageExitCode);
      }
      let config: RunConfig | undefined;
      if (file) {
        // Validate before opening anything: a bad config creates nothing.
        config = asUsageError(() => {
          const raw = readConfigFile(file);
          const input = isRecord(raw) && 'config' in raw && isRecord(raw.config) && 'run' in raw ? raw.config : raw;
          return resolveWithOverrides(input, { steps: o.steps, scale: o.scale });
        });
      }
      const code = await withServices(async (s) => {
        const sweep = s.ablation.sweep({
          config,
          vary: o.vary,
          seeds: o.seeds,
          baselineId: o.baseline,
          group: o.name,
          hypothesis: o.hypothesis,
          // A file's config already has --steps applied; the baseline's config gets it here.
          steps: config ? undefined : o.steps,
          scale: config ? undefined : o.scale,
          dryRun: Boolean(o.dryRun),
        });
        const human = o.json ? process.stderr : process.stdout;
        for (const w of sweep.warnings) process.stderr.write(`loupe: warning: ${w}\n`);
        if (o.dryRun) {
          if (o.json) process.stdout.write(`${JSON.stringify({ dry_run: true, ...sweep })}\n`);
          else {
            human.write(`would queue ${sweep.planned.length} run(s) in group ${sweep.group}: ${describeSweep(sweep, [])}\n`);
            for (const p of sweep.planned) human.write(`  ${p.name}\n`);
          }
          return 0;
        }
        const base = sweep.baselineId ? `, linked to baseline ${sweep.baselineId}` : ' (no baseline: pass --baseline to `loupe compare`)';
        human.write(`queued ${sweep.runs.length} run(s) in group ${sweep.group}: ${describeSweep(sweep, sweep.runs)}${base}\n`);

        let exit: number;
        let results: RunResultJson[] = [];
        if (o.json) ({ code: exit, results } = await trainQuietly(s, sweep.runs));
        else exit = await trainFollowing(s, sweep.runs);

        const summary = sweep.runs.map((r) => s.runs.summary(r.id));
        if (o.json) {
          process.stdout.write(
            `${JSON.stringify({ group: sweep.group, baseline_id: sweep.baselineId, field: sweep.field, values: sweep.values, seeds: sweep.seeds, warnings: sweep.warnings, runs: results })}\n`,
          );
          return exit;
        }
        human.write(`\nsweep ${sweep.group}: ${summary.filter((r) => r.status === 'finished').length}/${summary.length} finished\n`);
        for (const r of summary) human.write(`  ${r.name.padEnd(24)} ${r.id}  ${r.status.padEnd(8)}  final val ${f4(r.lastValLoss)}  best val ${f4(r.bestValLoss)}\n`);
        if (sweep.baselineId && exit !== 130) {
          try {
            const { table } = s.ablation.compare({ groups: [sweep.group], metric: 'final', alpha: 0.05, curveKeys: [] });
            human.write(`\n${escapeUnprintable(formatCompareTable(table), { keepLines: true })}\n`);
          } catch (e) {
            human.write(`(no comparison: ${describeError(e)})\n`);
          }
        }
        human.write(`\ncompare with: loupe compare ${sweep.group}${sweep.baselineId ? '' : ' --baseline RUN|GROUP'}\n`);
        return exit;
      });
      process.exit(code);
    });
}
