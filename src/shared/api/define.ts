// Building blocks of the typed API: a request is a name with a params schema and a result schema.
import type { z } from 'zod';

export interface RequestSpec<P extends z.ZodType, R extends z.ZodType> {
  params: P;
  result: R;
}
export function request<P extends z.ZodType, R extends z.ZodType>(params: P, result: R): RequestSpec<P, R> {
  return { params, result };
}
