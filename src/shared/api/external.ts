// Runs from elsewhere: follow a run file (or a folder of them) that a PyTorch job writes with Loupe's logger.
import { z } from 'zod';
import { request } from './define.ts';

export const WatchResult = z.object({
  path: z.string(),
  kind: z.enum(['file', 'dir']),
  /** Runs found so far (a folder may have none yet; new files appear as runs when they do). */
  runIds: z.array(z.string()),
});
export type WatchResult = z.infer<typeof WatchResult>;

export const externalRequests = {
  /** Starts following a path in the main process until it ends (a file's `end` line) or the app closes. */
  'runs.watch': request(
    z.object({ path: z.string().min(1).max(4096), staleAfterS: z.number().positive().max(86_400 * 7).optional() }).strict(),
    WatchResult,
  ),
  'runs.watching': request(z.object({}).strict(), z.array(WatchResult)),
};
