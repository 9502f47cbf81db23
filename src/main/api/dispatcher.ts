// The API dispatcher: every request from any transport is checked against the shared zod contract
// before a handler sees it, and every failure leaves as an ApiError (never a stack trace).
import type { z } from 'zod';
import { requests, isRequestName, type RequestName, type Requests, type Result, type ApiError } from '../../shared/api/index.ts';

export type Handler<N extends RequestName> = (params: z.infer<Requests[N]['params']>) => Promise<Result<N>> | Result<N>;
export type Handlers = { [N in RequestName]?: Handler<N> };

/** Thrown by handlers for expected failures; the code tells the client what kind of problem it is. */
export class ApiFailure extends Error {
  constructor(
    readonly code: ApiError['code'],
    message: string,
    readonly issues?: ApiError['issues'],
  ) {
    super(message);
  }
}

export type Reply = { ok: true; result: unknown } | { ok: false; error: ApiError };

export interface Dispatcher {
  dispatch(name: string, params: unknown): Promise<Reply>;
}

export function createDispatcher(handlers: Handlers, onInternalError: (e: unknown) => void = () => {}): Dispatcher {
  return {
    async dispatch(name, rawParams) {
      if (!isRequestName(name)) return { ok: false, error: { code: 'not_found', message: `Unknown request "${name}"` } };
      const parsed = requests[name].params.safeParse(rawParams ?? {});
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
        const summary = issues.map((i) => `${i.path || '(params)'}: ${i.message}`).join('; ');
        return { ok: false, error: { code: 'bad_request', message: `Invalid params for ${name}: ${summary}`, issues } };
      }
      const handler = handlers[name] as ((p: unknown) => unknown) | undefined;
      if (!handler) return { ok: false, error: { code: 'unavailable', message: `${name} is not available in this build` } };
      try {
        return { ok: true, result: await handler(parsed.data) };
      } catch (e) {
        if (e instanceof ApiFailure) return { ok: false, error: { code: e.code, message: e.message, ...(e.issues ? { issues: e.issues } : {}) } };
        onInternalError(e);
        const message = e instanceof Error ? e.message.split('\n')[0]! : String(e);
        return { ok: false, error: { code: 'internal', message } };
      }
    },
  };
}
