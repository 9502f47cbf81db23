// Representation diagnostics of a run beyond its scalar metrics: the condensation histograms (DESIGN §6) behind
// the run page's heatmap.
import { z } from 'zod';
import { request } from './define.ts';
import { CondensationHistory } from '../generation/condensation.ts';

export const diagnosticsRequests = {
  /** Every stored per-layer similarity histogram of a run (eval steps from 0, depths from the embedding output). */
  'runs.condensation': request(z.object({ runId: z.string().min(1).max(100) }).strict(), CondensationHistory),
};
