// `loupe compare RUN|GROUP… [--baseline RUN|GROUP] [--metric final|best] [--json]`: the Compare view's table in the
// terminal (Δ vs the baseline in nats, mean ± std over seeds, Welch p, verdict); --json prints the CompareTable.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { BaselineRef, CompareTable } from '../../shared/ablation/compare.ts';
import { compareTableToCsv, formatCompareTable } from '../../shared/ablation/compare.ts';
import type { Services } from '../../main/services.ts';
import { ServiceError } from '../../main/services/errors.ts';
import { checkFileTarget, fileProblem } from '../../main/services/exports.ts';
import { CliError, usageExitCode } from '../errors.ts';
import { escapeUnprintable } from '../../shared/printable.ts';
import type { WithServices } from './sweep.ts';

interface CompareOptions {
  baseline?: string;
  metric: 'final' | 'best';
  json?: boolean;
  csv?: string;
  force?: boolean;
}

/** A group's exact name, else a run id (or unique part of one); one line naming the argument when neither. */
function target(s: Services, ref: string, what: string): BaselineRef {
  try {
    return s.ablation.resolveTarget(ref);
  } catch (e) {
    if (e instanceof ServiceError && e.code === 'not_found') throw new CliError(`${what} "${ref}" is neither a group nor a run (${e.message})`, usageExitCode);
    throw e;
  }
}

/** Writes a file the user named, never replacing one without --force. */
function writeNew(file: string, text: string, force: boolean): void {
  const target = path.resolve(file);
  checkFileTarget(target, force);
  try {
    fs.writeFileSync(target, text);
  } catch (e) {
    throw fileProblem(e, target);
  }
}

export function registerCompareCommand(program: Command, withServices: WithServices): void {
  program
    .command('compare')
    .description('Compare runs and groups with a baseline: Δ val loss in nats, mean ± std over seeds, Welch p-value, verdict')
    .argument('<targets...>', 'runs (id or a unique part of one) and groups (sweep names)')
    .option('--baseline <run|group>', 'default: the baseline the compared runs are linked to (its seed replicates join it)')
    .addOption(new Option('--metric <metric>', 'which val loss ranks rows and drives the t-test').choices(['final', 'best']).default('final'))
    .option('--json', 'print the compare table as JSON')
    .option('--csv <file>', 'also write the table as CSV')
    .option('--force', 'overwrite an existing --csv file')
    .action(async (refs: string[], o: CompareOptions) => {
      await withServices((s) => {
        const runIds: string[] = [];
        const groups: string[] = [];
        for (const ref of refs) {
          const t = target(s, ref, 'argument');
          if ('group' in t) groups.push(t.group);
          else runIds.push(t.runId);
        }
        const baseline = o.baseline === undefined ? undefined : target(s, o.baseline, '--baseline');
        let table: CompareTable;
        try {
          ({ table } = s.ablation.compare({ runIds, groups, baseline, metric: o.metric, alpha: 0.05, curveKeys: [] }));
        } catch (e) {
          if (e instanceof ServiceError && e.issues?.[0]?.path === 'baseline') throw new CliError(`${e.message.replace(/^baseline: /, '')} with --baseline RUN|GROUP`, usageExitCode);
          throw e;
        }
        if (o.csv) writeNew(o.csv, compareTableToCsv(table), Boolean(o.force));
        process.stdout.write(o.json ? `${JSON.stringify(table)}\n` : `${escapeUnprintable(formatCompareTable(table), { keepLines: true })}\n`);
        if (o.csv && !o.json) process.stdout.write(`wrote ${o.csv}\n`);
      });
    });
}
