// Errors cross process boundaries as data: a code users can act on and a one-line message.
import { z } from 'zod';

export const ApiError = z.object({
  code: z.enum(['bad_request', 'not_found', 'conflict', 'unavailable', 'internal']),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ApiError = z.infer<typeof ApiError>;
