// `loupe compare RUN|GROUP… [--baseline RUN|GROUP] [--metric KEY|final|best] [--at final|best|STEP] [--json]`: the
// Compare view's table in the terminal (Δ vs the baseline, mean ± std over seeds, Welch p, verdict) for any metric.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { BaselineRef, CompareAt, CompareTable } from '../../shared/ablation/compare.ts';
import { compareTableToCsv, formatCompareTable, resolveCompareMetric } from '../../shared/ablation/compare.ts';
import type { Services } from '../../main/services.ts';
import { ServiceError } from '../../main/services/errors.ts';
import { checkFileTarget, fileProblem } from '../../main/services/exports.ts';
import { CliError, usageExitCode } from '../errors.ts';
import { escapeUnprintable } from '../../shared/printable.ts';
import type { WithServices } from './sweep.ts';

interface CompareOptions {
  baseline?: string;
  metric?: string;
  at?: string;
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

/** --at: final, best, or a step number. */
function parseAt(value: string | undefined): CompareAt | undefined {
  if (value === undefined || value === 'final' || value === 'best') return value;
  if (/^\d+$/.test(value)) return Number(value);
  throw new CliError(`--at must be final, best or a step number, got "${value}"`, 2);
}

export function registerCompareCommand(program: Command, withServices: WithServices): void {
  program
    .command('compare')
    .description('Compare runs and groups with a baseline on any metric: Δ, mean ± std over seeds, Welch p-value, verdict')
    .argument('<targets...>', 'runs (id or a unique part of one) and groups (sweep names)')
    .option(
      '--baseline <run|group>',
      'default: the baseline the compared runs are linked to (its seed replicates join it); without one, the first target',
    )
    .addOption(
      new Option(
        '--metric <key>',
        'metric key compared, e.g. val/loss, val/ppl, diag/condensation/layer_2, gen/seq_rep_4, eval/arc/acc; ' +
          '"final" and "best" mean that value of val/loss (default val/loss)',
      ),
    )
    .option('--at <final|best|step>', 'which value of each run: its last (default), its best, or the last one recorded at or before a step')
    .option('--json', 'print the compare table as JSON')
    .option('--csv <file>', 'also write the table as CSV')
    .option('--force', 'overwrite an existing --csv file')
    .action(async (refs: string[], o: CompareOptions) => {
      // Flags are checked before the database is opened: a usage error creates nothing.
      const at = parseAt(o.at);
      const chosen = resolveCompareMetric(o.metric, at);
      if (!chosen.ok) throw new CliError(chosen.error.replace(/^metric/, '--metric').replace(/at=/, '--at '), 2);
      await withServices((s) => {
        const runIds: string[] = [];
        const groups: string[] = [];
        for (const ref of refs) {
          const t = target(s, ref, 'argument');
          if ('group' in t) groups.push(t.group);
          else runIds.push(t.runId);
        }
        const explicit = o.baseline === undefined ? undefined : target(s, o.baseline, '--baseline');
        const first = target(s, refs[0]!, 'argument');
        const run = (baseline: BaselineRef | undefined): CompareTable =>
          s.ablation.compare({ runIds, groups, baseline, metric: chosen.key, at: chosen.at, alpha: 0.05, curveKeys: [] }).table;
        let table: CompareTable;
        try {
          try {
            table = run(explicit);
          } catch (e) {
            // Nothing said which run is the baseline (no --baseline, no common linked baseline): the first target is.
            const unlinked = e instanceof ServiceError && e.issues?.[0]?.path === 'baseline' && /link to/.test(e.message);
            if (explicit !== undefined || !unlinked) throw e;
            table = run(first);
          }
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
