// Handlers for the sampling requests of the API contract (src/shared/api/samples.ts): params arrive validated by
// the dispatcher; a bad checkpoint ref or prompt set leaves as an ApiFailure with a one-line message.
import type { Handlers } from './dispatcher.ts';
import type { Services } from '../services.ts';
import { guard } from './guard.ts';

type SampleRequestName =
  | 'samples.checkpoints'
  | 'samples.generate'
  | 'samples.cancel'
  | 'samples.list'
  | 'samples.get'
  | 'samples.grid'
  | 'samples.gridGet'
  | 'samples.promptSets'
  | 'samples.savePromptSet'
  | 'samples.deletePromptSet';
export type SampleHandlers = Required<Pick<Handlers, SampleRequestName>>;

export function sampleHandlers(services: Services): SampleHandlers {
  const samples = services.samples;
  return {
    'samples.checkpoints': guard((p) => samples.checkpoints({ includeArchived: p.includeArchived })),
    'samples.generate': guard((p) => {
      const h = samples.generate({
        target: { runId: p.checkpoint.runId, step: p.checkpoint.step },
        prompt: p.prompt,
        settings: p.settings,
        expectedKeywords: p.expectedKeywords,
        memorization: p.memorization,
      });
      return { sampleId: h.sampleId, checkpoint: h.checkpoint };
    }),
    'samples.cancel': guard((p) => ({ cancelled: samples.cancel(p.id) })),
    'samples.list': guard((p) => samples.list(p)),
    'samples.get': guard((p) => samples.get(p.sampleId)),
    'samples.grid': guard((p) => samples.grid(p)),
    'samples.gridGet': guard((p) => samples.gridGet(p.gridId)),
    'samples.promptSets': guard(() => samples.promptSets()),
    'samples.savePromptSet': guard((p) => samples.savePromptSet(p.set)),
    'samples.deletePromptSet': guard((p) => ({ deleted: samples.deletePromptSet(p.id) })),
  };
}
