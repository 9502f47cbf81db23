// Handlers for runs from elsewhere (src/shared/api/external.ts): watching run files from the app.
import type { Handlers } from './dispatcher.ts';
import type { Services } from '../services.ts';
import { guard } from './guard.ts';

export function externalHandlers(services: Services): Required<Pick<Handlers, 'runs.watch' | 'runs.watching'>> {
  return {
    'runs.watch': guard((p) => {
      const w = services.external.watch({ path: p.path, staleAfterS: p.staleAfterS });
      return { path: w.path, kind: w.kind, runIds: w.runIds() };
    }),
    'runs.watching': guard(() => services.external.watching()),
  };
}
