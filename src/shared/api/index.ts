// The one API contract: every request (name → params → result) and every event (name → payload).
// Main validates params with these schemas; both transports (IPC, WebSocket) carry exactly this.
import { z } from 'zod';
import { appRequests } from './app.ts';
import { runRequests, runEvents } from './runs.ts';

export const requests = {
  ...appRequests,
  ...runRequests,
};
export const events = {
  ...runEvents,
};

export type Requests = typeof requests;
export type RequestName = keyof Requests;
export type Params<N extends RequestName> = z.input<Requests[N]['params']>;
export type Result<N extends RequestName> = z.infer<Requests[N]['result']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.infer<Events[E]>;

/** What any transport gives the renderer; the renderer does not know which one it has. */
export interface LoupeClient {
  call<N extends RequestName>(name: N, params: Params<N>): Promise<Result<N>>;
  on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void;
}

/** Errors cross the boundary as data: a code users can act on and a one-line message. */
export const ApiError = z.object({
  code: z.enum(['bad_request', 'not_found', 'conflict', 'unavailable', 'internal']),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ApiError = z.infer<typeof ApiError>;

export function isRequestName(name: string): name is RequestName {
  return Object.prototype.hasOwnProperty.call(requests, name);
}

export * from './app.ts';
export * from './runs.ts';
