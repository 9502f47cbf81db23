// Turns any failure into what a terminal user should see: one line (config errors list one field per line),
// a non-zero exit code (2 when the command line or the config it names is wrong, 1 otherwise), and a stack
// trace only when LOUPE_DEBUG is set.
import { ServiceError } from '../main/services/errors.ts';
import { StoreError } from '../main/store/db.ts';
import { DataDirError } from '../main/paths.ts';
import { escapeUnprintable } from '../shared/printable.ts';
import { oneLine } from '../shared/one-line.ts';

/** What you asked for is wrong (arguments, options, the config): nothing was started or changed. */
export const usageExitCode = 2;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Runs config reading/validation; its failures are the user's input being wrong, so they exit as usage errors. */
export function asUsageError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ServiceError) throw new CliError(e.message, usageExitCode);
    throw e;
  }
}

export function describeError(e: unknown): string {
  if (e instanceof ServiceError || e instanceof StoreError || e instanceof CliError || e instanceof DataDirError) return e.message;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOSPC') return `disk full${err.path ? ` writing ${err.path}` : ''}; free some space and try again`;
  if ((err?.code === 'EACCES' || err?.code === 'EPERM') && err.path) return `permission denied: ${err.path}`;
  return oneLine(e, Infinity);
}

export function reportAndExit(e: unknown): never {
  process.stderr.write(`loupe: ${escapeUnprintable(describeError(e), { keepLines: true })}\n`);
  if (process.env['LOUPE_DEBUG'] && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  // A config that fails validation (each field named) is the user's input being wrong, wherever it came from.
  const usage = e instanceof ServiceError && e.issues !== undefined && e.issues.length > 0;
  process.exit(e instanceof CliError ? e.exitCode : usage || e instanceof DataDirError ? usageExitCode : 1);
}
