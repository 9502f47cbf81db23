// Turns any failure into what a terminal user should see: one line (config errors list one field per line),
// a non-zero exit code (2 for usage errors and invalid configs), and a stack trace only when LOUPE_DEBUG is set.
import { ServiceError } from '../main/services/errors.ts';
import { StoreError } from '../main/store/db.ts';

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
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').find((l) => l.trim() !== '') ?? 'unknown error';
}

export function reportAndExit(e: unknown): never {
  process.stderr.write(`loupe: ${describeError(e)}\n`);
  if (process.env['LOUPE_DEBUG'] && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exit(exitCodeOf(e));
}

/** 2 for usage errors (an invalid config among them), 1 for everything else. */
function exitCodeOf(e: unknown): number {
  if (e instanceof CliError) return e.exitCode;
  if (e instanceof ServiceError && e.code === 'bad_request' && e.issues !== undefined) return 2;
  return 1;
}
