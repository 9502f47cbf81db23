// Handlers for the sampling requests of the API contract (src/shared/api/samples.ts).
import type { Handlers } from './dispatcher.ts';
import type { Services } from '../services.ts';

export function sampleHandlers(_services: Services): Handlers {
  return {};
}
