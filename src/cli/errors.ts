// Turns any failure into what a terminal user should see: one line (config errors list one field per line),
// a non-zero exit code, and a stack trace only when LOUPE_DEBUG is set.
import { ServiceError } from '../main/services/errors.ts';
import { StoreError } from '../main/store/db.ts';
import { oneLine } from '../shared/one-line.ts';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function describeError(e: unknown): string {
  if (e instanceof ServiceError || e instanceof StoreError || e instanceof CliError) return e.message;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOSPC') return `disk full${err.path ? ` writing ${err.path}` : ''}; free some space and try again`;
  if ((err?.code === 'EACCES' || err?.code === 'EPERM') && err.path) return `permission denied: ${err.path}`;
  return oneLine(e, Infinity);
}

export function reportAndExit(e: unknown): never {
  process.stderr.write(`loupe: ${describeError(e)}\n`);
  if (process.env['LOUPE_DEBUG'] && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exit(e instanceof CliError ? e.exitCode : 1);
}
