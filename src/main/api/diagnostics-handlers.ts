// Handlers of the diagnostics requests (src/shared/api/diagnostics.ts), read straight from the run store.
import type { Handlers } from './dispatcher.ts';
import type { Services } from '../services.ts';
import { guard } from './guard.ts';
import { condensationHistory } from '../store/condensation-store.ts';

export function diagnosticsHandlers(services: Services): Required<Pick<Handlers, 'runs.condensation'>> {
  return {
    'runs.condensation': guard((p) => condensationHistory(services.store.db, services.runs.resolveId(p.runId))),
  };
}
