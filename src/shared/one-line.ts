// An error as one line for users: the first non-empty line of its message, cut to a length a terminal or toast shows.
export function oneLine(err: unknown, max = 500): string {
  const msg = err instanceof Error ? err.message : String(err);
  const first = msg.split('\n').find((l) => l.trim() !== '') ?? 'unknown error';
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}
