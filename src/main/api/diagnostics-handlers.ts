// Handlers of the diagnostics requests (src/shared/api/diagnostics.ts), over the run services.
import type { Handlers } from './dispatcher.ts';
import type { Services } from '../services.ts';
import { guard } from './guard.ts';

export function diagnosticsHandlers(services: Services): Required<Pick<Handlers, 'runs.condensation'>> {
  return {
    'runs.condensation': guard((p) => services.runs.condensation(p.runId)),
  };
}
