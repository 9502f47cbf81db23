// Handlers for the study requests of the API contract (src/shared/api/studies.ts).
import type { Handlers } from './dispatcher.ts';
import type { Services } from '../services.ts';
import { guard } from './guard.ts';

type StudyRequestName = 'studies.architectures' | 'studies.list' | 'studies.table';
export type StudyHandlers = Required<Pick<Handlers, StudyRequestName>>;

export function studyHandlers(services: Services): StudyHandlers {
  const studies = services.studies;
  return {
    'studies.architectures': guard((p) => studies.architectures(p)),
    'studies.list': guard(() => studies.list()),
    'studies.table': guard((p) => studies.table(p.group)),
  };
}
