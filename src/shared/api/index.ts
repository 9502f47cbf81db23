// The one API contract: every request (name → params → result) and every event (name → payload).
// Main validates params with these schemas; both transports (IPC, WebSocket) carry exactly this.
import type { z } from 'zod';
import { appRequests, appEvents } from './app.ts';
import { runRequests, runEvents } from './runs.ts';
import { sampleRequests, sampleEvents } from './samples.ts';
import { ablationRequests, ablationEvents } from './ablation.ts';
import { externalRequests } from './external.ts';
import { diagnosticsRequests } from './diagnostics.ts';
import { studyRequests } from './studies.ts';

export const requests = {
  ...appRequests,
  ...runRequests,
  ...sampleRequests,
  ...ablationRequests,
  ...externalRequests,
  ...diagnosticsRequests,
  ...studyRequests,
};
export const events = {
  ...appEvents,
  ...runEvents,
  ...sampleEvents,
  ...ablationEvents,
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


export function isRequestName(name: string): name is RequestName {
  return Object.prototype.hasOwnProperty.call(requests, name);
}

export * from './app.ts';
export * from './errors.ts';
export * from './runs.ts';
export * from './samples.ts';
export * from './ablation.ts';
export * from './external.ts';
export * from './diagnostics.ts';
export * from './studies.ts';
