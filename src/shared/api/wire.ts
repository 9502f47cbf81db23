// The WebSocket wire format of browser mode: calls with ids, replies matched by id, pushed events.
import { z } from 'zod';
import { ApiError } from './errors.ts';

export const WsClientMessage = z.object({
  type: z.literal('call'),
  id: z.number().int(),
  name: z.string().max(100),
  params: z.unknown(),
});
export type WsClientMessage = z.infer<typeof WsClientMessage>;

export const WsServerMessage = z.union([
  z.object({ type: z.literal('reply'), id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('reply'), id: z.number().int(), ok: z.literal(false), error: ApiError }),
  z.object({ type: z.literal('event'), name: z.string(), payload: z.unknown() }),
]);
export type WsServerMessage = z.infer<typeof WsServerMessage>;
