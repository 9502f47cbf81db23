// Turns whatever a call rejected with into the one line a user should read.
export function errorMessage(e: unknown): string {
  if (e && typeof e === 'object') {
    const inner = (e as { error?: { message?: unknown; code?: unknown } }).error;
    if (inner && typeof inner.message === 'string') {
      return inner.code === 'unavailable' ? `Not available yet: ${inner.message}` : inner.message;
    }
    if (e instanceof Error) return e.message;
  }
  return String(e);
}
