// Handlers for every run request of the API contract (src/shared/api/runs.ts), over the shared services.
// Params arrive already validated by the dispatcher; expected failures leave as ApiFailure with a code.
import type { Handlers } from './dispatcher.ts';
import type { Services } from '../services.ts';
import { guard } from './guard.ts';

type RunRequestName = 'runs.list' | 'runs.get' | 'runs.startBaseline' | 'runs.startFineTune' | 'runs.start' | 'runs.stop' | 'runs.resume' | 'runs.update' | 'runs.archive' | 'runs.delete' | 'runs.metrics' | 'runs.alerts';
export type RunHandlers = Required<Pick<Handlers, RunRequestName>>;

export function runHandlers(services: Services): RunHandlers {
  const runs = services.runs;
  return {
    'runs.list': guard((p) => runs.list({ includeArchived: p.includeArchived })),
    'runs.get': guard((p) => runs.get(p.runId)),
    'runs.startBaseline': guard((p) => runs.startBaseline({ steps: p.steps, scale: p.scale, seed: p.seed })),
    'runs.startFineTune': guard((p) => runs.startFineTune({ parentId: p.parentId, steps: p.steps, seed: p.seed })),
    'runs.start': guard((p) =>
      runs.start({ config: p.config, name: p.name, hypothesis: p.hypothesis, baselineId: p.baselineId, groupName: p.groupName }),
    ),
    'runs.stop': guard((p) => runs.stop(p.runId)),
    'runs.resume': guard((p) => runs.resume(p.runId).run),
    'runs.update': guard((p) => runs.update(p.runId, { name: p.name, notes: p.notes, hypothesis: p.hypothesis })),
    'runs.archive': guard((p) => runs.archive(p.runId, p.archived)),
    'runs.delete': guard((p) => runs.delete(p.runId)),
    'runs.metrics': guard((p) => runs.metrics(p.runId, p.keys, p.sinceStep)),
    'runs.alerts': guard((p) => runs.alerts(p.runId)),
  };
}
