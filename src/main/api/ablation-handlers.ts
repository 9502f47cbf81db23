// Handlers for the ablation requests of the API contract (src/shared/api/ablation.ts).
import type { Handlers } from './dispatcher.ts';
import type { Services } from '../services.ts';

export function ablationHandlers(_services: Services): Handlers {
  return {};
}
