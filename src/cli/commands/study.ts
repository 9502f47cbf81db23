// `loupe study architectures [--params N] [--steps S] [--seeds K] [--json]`: the four architectures of the
// sub-20M study at one parameter budget, trained as one sweep (one after another), then their table.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { formatStudyTable } from '../../shared/studies/format.ts';
import { formatParamCount } from '../../shared/ablation/recipe.ts';
import { STUDY_DEFAULTS } from '../../shared/studies/architectures.ts';
import { escapeUnprintable } from '../../shared/printable.ts';
import { parseSeeds, trainFollowing, trainQuietly, type WithServices } from './sweep.ts';

interface StudyOptions {
  params: number;
  steps: number;
  seeds: number | number[];
  dryRun?: boolean;
  json?: boolean;
}

function intInRange(name: string, min: number, max: number) {
  return (v: string): number => {
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
}

/** "1M", "500k" or a plain count. */
function paramsArg(v: string): number {
  const m = /^\s*([\d.]+)\s*([kKmM]?)\s*$/.exec(v);
  const n = m ? Number(m[1]) * (m[2]?.toLowerCase() === 'm' ? 1e6 : m[2]?.toLowerCase() === 'k' ? 1e3 : 1) : NaN;
  if (!Number.isFinite(n) || n < 10_000 || n > 300e6) throw new InvalidArgumentError('--params must be a count from 10k to 300M (e.g. 1000000, 1M, 500k)');
  return Math.round(n);
}

export function registerStudyCommand(program: Command, withServices: WithServices): void {
  const study = program.command('study').description('Run a study: several models on the same data, budget and seeds, in one table');
  study
    .command('architectures')
    .description('Pure Transformer, Pure Mamba, a Mamba→attention hybrid and a Transformer with a 4-expert top-2 MoE MLP, at matched parameters')
    .option('--params <n>', 'parameter budget every model is sized to (parameters a token passes through: all of them for dense models, the top-2 experts\u2019 share for MoE; e.g. 1M)', paramsArg, STUDY_DEFAULTS.params)
    .option('--steps <n>', 'optimizer steps of every run', intInRange('--steps', 1, 10_000_000), STUDY_DEFAULTS.steps)
    .option('--seeds <n|list>', 'a count of seeds, or a list (e.g. 1,2,3)', parseSeeds, STUDY_DEFAULTS.seeds)
    .option('--dry-run', 'print the models and runs the study would queue, and queue nothing')
    .option('--json', 'print the table as one JSON document on stdout at the end')
    .action(async (o: StudyOptions) => {
      const code = await withServices(async (s) => {
        const queued = s.studies.architectures({ params: o.params, steps: o.steps, seeds: o.seeds, dryRun: Boolean(o.dryRun) });
        const human = o.json ? process.stderr : process.stdout;
        for (const w of queued.warnings) process.stderr.write(`loupe: warning: ${w}\n`);
        for (const a of queued.plan) {
          const active = a.params.active === a.params.total ? '' : `, ${formatParamCount(a.params.active)} active`;
          human.write(`  ${a.label.padEnd(38)} d_model ${String(a.dModel).padEnd(5)} ${formatParamCount(a.params.total)} params${active}\n`);
        }
        if (o.dryRun) {
          if (o.json) process.stdout.write(`${JSON.stringify({ dry_run: true, ...queued })}\n`);
          else human.write(`would queue ${queued.planned.length} run(s) in group ${queued.group}\n`);
          return 0;
        }
        human.write(`queued ${queued.runs.length} run(s) in group ${queued.group} (${queued.seeds.length} seed(s) × ${queued.plan.length} models, ${o.steps} steps each)\n`);
        const exit = o.json ? (await trainQuietly(s, queued.runs)).code : await trainFollowing(s, queued.runs);
        if (exit === 130) return exit;
        const table = s.studies.table(queued.group);
        if (o.json) process.stdout.write(`${JSON.stringify(table)}\n`);
        else human.write(`\n${escapeUnprintable(formatStudyTable(table), { keepLines: true })}\n\nagain with: loupe study table ${queued.group}\n`);
        return exit;
      });
      process.exit(code);
    });
  study
    .command('table')
    .description('Print the table of an architecture study (a group queued by `loupe study architectures`)')
    .argument('<group>', 'the study\u2019s group name')
    .option('--json', 'print the table as JSON')
    .action(async (group: string, o: { json?: boolean }) => {
      await withServices((s) => {
        const table = s.studies.table(group);
        process.stdout.write(o.json ? `${JSON.stringify(table)}\n` : `${escapeUnprintable(formatStudyTable(table), { keepLines: true })}\n`);
      });
    });
}
