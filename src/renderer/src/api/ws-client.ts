// Browser-mode transport: one WebSocket carries calls (id-matched replies) and pushed events.
// Reconnects with backoff; calls made while disconnected wait for the socket.
import { requests, type LoupeClient, type RequestName, type Params, type Result, type EventName, type EventPayload, type ApiError } from '../../../shared/api/index.ts';
import { WsServerMessage, type WsClientMessage } from '../../../shared/api/wire.ts';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; name: RequestName };

export class ApiCallError extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
  }
}

export function createWsClient(url: string): LoupeClient {
  let socket: WebSocket | null = null;
  let nextId = 1;
  let backoffMs = 250;
  const pending = new Map<number, Pending>();
  const queue: WsClientMessage[] = [];
  const handlers = new Map<string, Set<(payload: unknown) => void>>();

  function connect(): void {
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      backoffMs = 250;
      for (const m of queue.splice(0)) ws.send(JSON.stringify(m));
    };
    ws.onmessage = (ev) => {
      const parsed = WsServerMessage.safeParse(JSON.parse(String(ev.data)));
      if (!parsed.success) return;
      const msg = parsed.data;
      if (msg.type === 'event') {
        for (const h of handlers.get(msg.name) ?? []) h(msg.payload);
        return;
      }
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(requests[p.name].result.parse(msg.result));
      else p.reject(new ApiCallError(msg.error));
    };
    ws.onclose = () => {
      socket = null;
      for (const [id, p] of pending) {
        p.reject(new Error('Connection to Loupe lost; retrying.'));
        pending.delete(id);
      }
      setTimeout(connect, backoffMs);
      backoffMs = Math.min(backoffMs * 2, 5000);
    };
  }
  connect();

  function send(m: WsClientMessage): void {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(m));
    else queue.push(m);
  }

  return {
    call<N extends RequestName>(name: N, params: Params<N>): Promise<Result<N>> {
      const id = nextId++;
      return new Promise<Result<N>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, name });
        send({ type: 'call', id, name, params });
      });
    },
    on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void {
      const set = handlers.get(event) ?? new Set();
      handlers.set(event, set);
      const h = handler as (payload: unknown) => void;
      set.add(h);
      return () => set.delete(h);
    },
  };
}
